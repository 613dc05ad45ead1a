/**
 * The closed catalogue of domain errors. Each surface maps every code to exactly one HTTP status
 * and its vendor's error body; no code path ever inspects message text.
 */
export type LedgerErrorCode =
  | 'validation_failed'
  | 'insufficient_funds'
  | 'not_found'
  | 'already_exists'
  | 'idempotency_key_reused'
  | 'idempotency_key_in_use'
  | 'unauthenticated'
  | 'permission_denied';

export interface FieldViolation {
  /** Dotted path in domain vocabulary (camelCase segments; map keys verbatim). */
  field: string;
  message: string;
}

export abstract class LedgerError extends Error {
  abstract readonly code: LedgerErrorCode;
  /**
   * Whether an idempotent request that failed with this error stores the failure as its answer
   * (vendors replay "the first answer whatever it was"). Errors about the key itself never are.
   */
  readonly replayable: boolean = true;
}

export class ValidationFailed extends LedgerError {
  readonly code = 'validation_failed';
  constructor(readonly violations: FieldViolation[]) {
    super(violations.map((v) => `${v.field} ${v.message}`).join('; '));
  }
  static of(field: string, message: string): ValidationFailed {
    return new ValidationFailed([{ field, message }]);
  }
}

/** A posting that may not overdraw its source would have taken it below zero; nothing changed. */
export class InsufficientFunds extends LedgerError {
  readonly code = 'insufficient_funds';
  constructor(
    readonly holderId: string,
    readonly currency: string,
    /** Atoms the source holds, and atoms the posting asked for. */
    readonly available: bigint,
    readonly requested: bigint,
  ) {
    super(`the balance of ${holderId} in ${currency} is insufficient for this posting`);
  }
}

/** The kernel's own resources; a vendor module names its own (e.g. 'transfer') in the same words. */
export type ResourceKind = 'tenant' | 'api_key' | 'ledger_entry' | 'webhook_endpoint' | 'webhook_delivery' | (string & {});

/** 'externalReference' → 'external reference', 'api_key' → 'API key' (for messages only). */
function words(name: string): string {
  if (name === 'api_key') return 'API key';
  return name.replace(/^.*\./, '').replace(/_/g, ' ').replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

const article = (noun: string) => (/^[aeiou]/i.test(noun) && !noun.startsWith('API') ? 'an' : 'a');

export class NotFound extends LedgerError {
  readonly code = 'not_found';
  constructor(readonly resource: ResourceKind, readonly reference: string) {
    super(`no ${words(resource)} with id or reference '${reference}'`);
  }
}

export class AlreadyExists extends LedgerError {
  readonly code = 'already_exists';
  constructor(
    readonly resource: ResourceKind,
    readonly field: string,
    readonly value: string,
  ) {
    super(`${article(words(resource))} ${words(resource)} with ${words(field)} '${value}' already exists`);
  }
}

export class IdempotencyKeyReused extends LedgerError {
  readonly code = 'idempotency_key_reused';
  override readonly replayable = false;
  constructor(
    readonly key: string,
    readonly original: { method: string; path: string; resourceId: string | null },
  ) {
    super(
      `Idempotency-Key '${key}' was already used for a different request (${original.method} ${original.path}` +
        (original.resourceId ? `, which resulted in ${original.resourceId}` : '') +
        '); use a new key for a new request',
    );
  }
}

export class IdempotencyKeyInUse extends LedgerError {
  readonly code = 'idempotency_key_in_use';
  override readonly replayable = false;
  constructor(readonly key: string) {
    super(`a request with Idempotency-Key '${key}' is still in progress; retry after it completes`);
  }
}

export class Unauthenticated extends LedgerError {
  readonly code = 'unauthenticated';
  override readonly replayable = false;
}

export class PermissionDenied extends LedgerError {
  readonly code = 'permission_denied';
  override readonly replayable = false;
}

/**
 * Not a domain error (never answered as such): the store found a record for an idempotency key
 * the transaction tried to record first. The idempotency wrapper then takes the key's slow path
 * (replay, or take over an expired record); the transaction is rolled back.
 */
export class IdempotencyKeyTaken extends Error {
  constructor(readonly key: string) {
    super(`idempotency key '${key}' already has a record`);
  }
}

/**
 * Not a domain error (never answered as one, never stored as an idempotent answer): the store
 * cannot be reached right now (connection refused or dropped, server shutting down or starting,
 * SQLite busy). The store raises it for every such driver failure, so that nothing above the
 * store reads a driver's error codes; surfaces answer it as "unavailable, retry".
 */
export class StoreUnavailable extends Error {
  override readonly name = 'StoreUnavailable';
  constructor(options?: { cause?: unknown }) {
    super('the store is unavailable; retry shortly', options);
  }
}
