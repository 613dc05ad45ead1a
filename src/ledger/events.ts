import { newId } from './ids.js';
import type { CommandContext } from './model.js';

/**
 * The domain events commands return, by kind, with the object each carries. The kernel names
 * none: each vendor module adds the kinds of its own objects by module augmentation, from its
 * own folder:
 *   declare module '../../../ledger/events.js' { interface DomainEvents { 'transfer.created': Transfer } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface DomainEvents {}
export type DomainEventKind = keyof DomainEvents & string;

/** One event a command returns: what happened, to which object, and which holder it is about. */
export interface DomainEvent<K extends DomainEventKind = DomainEventKind> {
  kind: K;
  object: DomainEvents[K];
  /** The holder whose account page lists it (default: the object's own id, its account, or its holder). */
  subjectId: string | undefined;
  /** When it happened, if not at the command's `now` (a change stamped under its row lock: changeTime). */
  at?: string;
}

/** A domain event of `kind` about `object`. */
export function domainEvent<K extends DomainEventKind>(kind: K, object: DomainEvents[K], options: { subjectId?: string; at?: string } = {}): DomainEvent {
  return { kind, object, subjectId: options.subjectId ?? subjectOf(object), at: options.at } as DomainEvent;
}

/** How one kind of domain event goes out: as which wire type, by which surface, with what JSON. */
export interface EventPublication<K extends DomainEventKind> {
  /** The surface whose envelope delivers it (its name, as stored with the event). */
  surface: string;
  /** The type receivers see. */
  type: string;
  /** The object as the surface's API shows it. */
  present(object: DomainEvents[K]): unknown;
  /** A JSON Schema of what `present` answers: the event's `data` in the OpenAPI document's `webhooks`. */
  schema?: unknown;
}

type AnyPublication = { surface: string; type: string; present(object: never): unknown; schema?: unknown };

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

  /** Every publication, one per wire type, by type (the OpenAPI document's `webhooks`). */
  publications(): { surface: string; type: string; schema?: unknown }[] {
    const byType = new Map([...this.byKind.values()].map((p) => [p.type, p]));
    return [...byType.values()].sort((a, b) => a.type.localeCompare(b.type)).map(({ surface, type, schema }) => ({ surface, type, schema }));
  }

  /** Every wire type published (what webhook endpoints may subscribe to). */
  wireTypes(): string[] {
    return [...new Set([...this.byKind.values()].map((p) => p.type))].sort();
  }
}

/** An event as the outbox stores it: in its publisher's wire type and JSON. */
export interface OutboxEvent {
  id: string;
  type: string;
  /** The surface whose envelope (and wire shape) the event is delivered in. */
  source: string;
  /** The object as the surface presents it (or a plain snapshot, bigints as strings). */
  data: unknown;
  createdAt: string;
  /** The holder the event is about (its id), for the operator console's account page. */
  subjectId?: string;
  /** The object the event carries (its own id), when it has one: a posting's, where the subject is the holder it moved money for. */
  objectId?: string;
}

/** Plain JSON of a domain object: bigints become decimal strings so nothing is rounded. */
export function snapshotOf(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

/**
 * The event as its publisher presents it, stamped with the command's time. Without a publisher
 * (kernel tests, a kind nobody publishes) it keeps its domain kind and a plain snapshot, source `ledger`.
 */
export function outboxEventOf(catalog: EventCatalog | undefined, ctx: CommandContext, event: DomainEvent): OutboxEvent {
  const publication = catalog?.publicationOf(event.kind);
  const presented = publication
    ? { type: publication.type, source: publication.surface, data: publication.present(event.object as never) }
    : { type: event.kind, source: 'core', data: snapshotOf(event.object) };
  const createdAt = event.at ?? ctx.now;
  const objectId = (event.object as { id?: unknown }).id;
  return { id: newId('evt', createdAt), ...presented, createdAt, subjectId: event.subjectId, objectId: typeof objectId === 'string' ? objectId : undefined };
}

/**
 * The holder an event is about, for its account page: the object itself (`id`), the account it
 * carries (`account`), or the holder named (`holderId`). An event about something else names its
 * holder where it is made.
 */
function subjectOf(object: unknown): string | undefined {
  const o = object as { id?: unknown; account?: { id?: unknown }; holderId?: unknown };
  for (const candidate of [o.account?.id, o.holderId, o.id]) if (typeof candidate === 'string') return candidate;
  return undefined;
}
