import { NotFound, ValidationFailed, type ResourceKind } from '../../../ledger/errors.js';
import type { Balance, Scope } from '../../../ledger/model.js';
import type { BalanceHolder } from './model.js';

interface ReferenceLookups<T> {
  findById(scope: Scope, id: string): Promise<T | undefined>;
  findByExternalReference(scope: Scope, ref: string): Promise<T | undefined>;
  lockById(scope: Scope, id: string): Promise<{ holder: T; balance: Balance | undefined } | undefined>;
}

/**
 * Moment's path rule: "either the unique ID ... or the external reference". A reference with
 * the object's id prefix is an id; an id-shaped miss falls back to the external reference,
 * since the external reference alphabet also allows `bacc_…`.
 * @throws NotFound
 */
export async function findByIdOrExternalReference<T extends BalanceHolder>(
  lookups: ReferenceLookups<T>,
  resource: ResourceKind,
  idPrefix: string,
  scope: Scope,
  reference: string,
): Promise<T> {
  const found = (reference.startsWith(`${idPrefix}_`) ? await lookups.findById(scope, reference) : undefined) ?? (await lookups.findByExternalReference(scope, reference));
  if (!found) throw new NotFound(resource, reference);
  return found;
}

/**
 * The same lookup for a change: the object is read with its row lock (and its balance's) held
 * until the transaction ends, and an id is locked straight away, with no read before it.
 * @throws NotFound
 */
export async function lockByIdOrExternalReference<T extends BalanceHolder>(
  lookups: ReferenceLookups<T>,
  resource: ResourceKind,
  idPrefix: string,
  scope: Scope,
  reference: string,
): Promise<{ holder: T; balance: Balance | undefined }> {
  const byReference = async () => {
    const found = await lookups.findByExternalReference(scope, reference);
    return found && lookups.lockById(scope, found.id);
  };
  const locked = (reference.startsWith(`${idPrefix}_`) ? await lookups.lockById(scope, reference) : undefined) ?? (await byReference());
  if (!locked) throw new NotFound(resource, reference);
  return locked;
}

/**
 * An object named in a request body rather than its path: an unknown one (another tenant's or
 * mode's alike) is a validation error naming the body's field, not a 404.
 * @throws ValidationFailed, and whatever `find` throws but NotFound
 */
export async function referencedIn<T>(field: string, find: () => Promise<T>): Promise<T> {
  try {
    return await find();
  } catch (error) {
    if (error instanceof NotFound) throw ValidationFailed.of(field, `must name an existing ${field}: none has the id or external reference '${error.reference}'`);
    throw error;
  }
}
