import { NotFound, type ResourceKind } from './errors.js';
import type { BalanceHolder, Scope } from './model.js';

interface ReferenceLookups<T> {
  findById(scope: Scope, id: string): Promise<T | undefined>;
  findByExternalReference(scope: Scope, ref: string): Promise<T | undefined>;
  lockById(scope: Scope, id: string): Promise<T | undefined>;
}

/**
 * Moment's path rule: "either the unique ID ... or the external reference". A reference with
 * the object's id prefix is an id; an id-shaped miss falls back to the external reference,
 * since the external reference alphabet also allows `bacc_…`.
 * With `lock`, the object is read with its row lock held until the transaction ends (what a
 * change needs), and an id is locked straight away, with no read before it.
 * @throws NotFound
 */
export async function findByIdOrExternalReference<T extends BalanceHolder>(
  lookups: ReferenceLookups<T>,
  resource: ResourceKind,
  idPrefix: string,
  scope: Scope,
  reference: string,
  { lock = false } = {},
): Promise<T> {
  const byId = (id: string) => (lock ? lookups.lockById(scope, id) : lookups.findById(scope, id));
  const byReference = async () => {
    const found = await lookups.findByExternalReference(scope, reference);
    return lock && found ? lookups.lockById(scope, found.id) : found;
  };
  const found = (reference.startsWith(`${idPrefix}_`) ? await byId(reference) : undefined) ?? (await byReference());
  if (!found) throw new NotFound(resource, reference);
  return found;
}
