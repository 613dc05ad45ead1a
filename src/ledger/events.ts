import { newId } from './ids.js';
import type { Account, CommandContext, Customer, LedgerEntry } from './model.js';
import type { Repositories } from '../store/ports.js';

/**
 * The domain events the core emits, by kind, with the object each carries. They are named
 * in the core's words; which surface publishes them, under which wire type and in which
 * envelope, is the surface's business (EventCatalog). A surface with objects of its own adds
 * their kinds here by module augmentation, from its own folder:
 *   declare module '../../core/events.js' { interface DomainEvents { 'transfer.created': Transfer } }
 */
export interface DomainEvents {
  'customer.created': Customer;
  'customer.updated': Customer;
  'account.created': Account;
  'account.updated': Account;
  'account.balance_changed': { account: Account; ledgerEntries: LedgerEntry[] };
}
export type DomainEventKind = keyof DomainEvents & string;

/** How one kind of domain event goes out: as which wire type, by which surface, with what JSON. */
export interface EventPublication<K extends DomainEventKind> {
  /** The surface whose envelope delivers it (its name, as stored with the event). */
  surface: string;
  /** The type receivers see (`billing.account.created`, `account.activated`, …). */
  type: string;
  /** The object as the surface's API shows it. */
  present(object: DomainEvents[K]): unknown;
}

type AnyPublication = { surface: string; type: string; present(object: never): unknown };

/**
 * Every surface's event publications, by domain event kind. A kind has one publisher: the
 * surface that owns the object. So a change made elsewhere (the admin API, the CLI) goes out
 * exactly as the owning surface's own routes would send it.
 */
export class EventCatalog {
  private readonly byKind = new Map<string, AnyPublication>();

  /** @throws when the kind already has a publisher (two surfaces claiming one object) */
  publish<K extends DomainEventKind>(kind: K, publication: EventPublication<K>): this {
    if (this.byKind.has(kind)) throw new Error(`domain event '${kind}' already has a publisher (${this.byKind.get(kind)!.surface})`);
    this.byKind.set(kind, publication as AnyPublication);
    return this;
  }

  publicationOf<K extends DomainEventKind>(kind: K): EventPublication<K> | undefined {
    return this.byKind.get(kind) as EventPublication<K> | undefined;
  }

  /** Every wire type published (what webhook endpoints may subscribe to). */
  wireTypes(): string[] {
    return [...new Set([...this.byKind.values()].map((p) => p.type))].sort();
  }
}

/** Plain JSON of a domain object: bigints become decimal strings so nothing is rounded. */
export function snapshotOf(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

/**
 * Writes the event to the outbox in the caller's transaction, beside the change it reports,
 * as its publisher presents it. Without a publisher (core tests, a kind nobody publishes) it
 * is stored under its domain kind with a plain snapshot, source `core`.
 */
export async function emitEvent<K extends DomainEventKind>(
  tx: Repositories,
  ctx: CommandContext,
  kind: K,
  object: DomainEvents[K],
  subjectId: string | undefined = subjectOf(object),
): Promise<void> {
  const publication = ctx.events?.publicationOf(kind);
  const event = publication
    ? { type: publication.type, source: publication.surface, data: publication.present(object) }
    : { type: kind, source: 'core', data: snapshotOf(object) };
  await tx.events.append(ctx.scope, { id: newId('evt'), ...event, createdAt: ctx.now, subjectId });
}

/**
 * The holder an event is about, for its account page: the object itself (`id`), the account it
 * carries (`account`), or the holder named (`holderId`). An event about something else names its
 * holder at the call (a transfer: its sub-account side).
 */
function subjectOf(object: unknown): string | undefined {
  const o = object as { id?: unknown; account?: { id?: unknown }; holderId?: unknown };
  for (const candidate of [o.account?.id, o.holderId, o.id]) if (typeof candidate === 'string') return candidate;
  return undefined;
}
