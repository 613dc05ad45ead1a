import type { RequestSpec } from '../load.js';
import type { SubledgerServer } from '../servers.js';
import type { DirectConnection } from '../stores.js';

// What a surface gives the bench harness (bench/surfaces/index.ts lists them).

export const OPERATIONS = ['create', 'get', 'list', 'balance', 'transfer', 'transfer_spread', 'transactions_list', 'bill_create'] as const;
export type OperationName = (typeof OPERATIONS)[number];
/** Operations only some vendors have: money between two holders, a list of a holder's ledger movements, a bill. */
type OptionalOperation = 'transfer' | 'transfer_spread' | 'transactions_list' | 'bill_create';
/**
 * What every surface measures; `transfer` (every posting hits one hot balance, e.g. a platform's
 * own) and `transfer_spread` (the same transfers, each between a different pair of holders: the
 * hot-balance target's baseline) only where its vendor has transfers; `transactions_list` (the
 * first page of a holder's movements, read from the ledger) where its vendor lists them;
 * `bill_create` (a Moment bill of an existing account: one insert, no posting) on billing.
 */
type SurfaceOperations<C> = Record<Exclude<OperationName, OptionalOperation>, (context: C) => RequestSpec> & Partial<Record<OptionalOperation, (context: C) => RequestSpec>>;
type BoundOperations = Partial<Record<OperationName, RequestSpec>>;

/** The tenant and mode of the key the bench uses: every seeded row belongs to them. */
export interface Scope {
  tenantId: string;
  mode: 'test' | 'live';
}

/** How a surface is measured; `C` is what its setup creates (keys, ids) for its operations. */
export interface SurfaceDefinition<C> {
  name: string;
  /** On a fresh, listening server: whatever the operations need, created through the API. */
  setup(server: SubledgerServer): Promise<C>;
  /** Each an autocannon request factory: create (with an idempotency key), get, list first page, a balance change, a transfer. */
  operations: SurfaceOperations<C>;
  /** Seeding in bulk (straight into the store, the server stopped) for the 10^3 / 10^6 comparison. */
  scale?: {
    /** Which operations are compared across sizes. */
    operations: readonly OperationName[];
    /** Adds the rows numbered from..to (inclusive, 1-based) in bulk, in the scope's tenant and mode. */
    seed(connection: DirectConnection, scope: Scope, from: number, to: number): Promise<void>;
    /** How many rows of the seeded kind the scope holds (a check before measuring). */
    count(connection: DirectConnection, scope: Scope): Promise<number>;
    /** Up to `size` ids chosen uniformly at random among the stored rows (what get reads). */
    sampleIds(connection: DirectConnection, scope: Scope, size: number): Promise<string[]>;
    context(server: SubledgerServer, ids: string[]): C;
  };
  /** pgbench scripts doing what `create` does on PostgreSQL, and their -D variables. */
  pgbench?: {
    /** The script the SPEC §6 ratio uses (the create's inserts, a plain transaction). */
    script: string;
    /** Informative: the same writes exactly as the server sends them. */
    asSentScript?: string;
    /**
     * The keyed select a get makes on PostgreSQL (the baseline of the get target), run over rows
     * 1..:rows that `scale.seed` stored first; the script draws its own row (`\set i random(1, :rows)`)
     * and derives that row's id the way `scale.seed` made it.
     */
    getScript?: string;
    variables(connection: DirectConnection, scope: Scope): Promise<Record<string, string>>;
  };
}

/** A surface with its context bound: what the harness runs. */
export interface Surface {
  name: string;
  /** The operations it has, in OPERATIONS order. */
  operations: readonly OperationName[];
  setup(server: SubledgerServer): Promise<BoundOperations>;
  scale?: Omit<NonNullable<SurfaceDefinition<unknown>['scale']>, 'context'> & {
    requests(server: SubledgerServer, ids: string[]): BoundOperations;
  };
  pgbench?: SurfaceDefinition<unknown>['pgbench'];
}

const operationsOf = <C>(operations: SurfaceOperations<C>): OperationName[] => OPERATIONS.filter((name) => operations[name] !== undefined);

function bind<C>(operations: SurfaceOperations<C>, context: C): BoundOperations {
  return Object.fromEntries(operationsOf(operations).map((name) => [name, operations[name]!(context)]));
}

export function defineSurface<C>(definition: SurfaceDefinition<C>): Surface {
  const { scale } = definition;
  return {
    name: definition.name,
    operations: operationsOf(definition.operations),
    setup: async (server) => bind(definition.operations, await definition.setup(server)),
    scale: scale && {
      operations: scale.operations,
      seed: scale.seed,
      count: scale.count,
      sampleIds: scale.sampleIds,
      requests: (server, ids) => bind(definition.operations, scale.context(server, ids)),
    },
    pgbench: definition.pgbench,
  };
}
