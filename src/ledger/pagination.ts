import { ValidationFailed } from './errors.js';
import { lowestIdAt } from './ids.js';
import type { ListCursor, PageRequest } from './model.js';

/** A list request as a client states it: cursors are object ids. */
export interface ListQuery {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  createdGte?: string;
  createdLte?: string;
}

/**
 * How much later than its `created_at` an id's own millisecond may be. Objects made since
 * lists run by id have an id of their `created_at`'s millisecond (balance-holders.ts); before,
 * the id was made a little later in the same request.
 */
const ID_AFTER_CREATED_MS = 60_000;

/**
 * Turns object-id cursors into keyset positions. The one pagination rule of the service:
 * newest first; an unknown cursor id is a validation error. With `idPrefix` (objects whose ids
 * carry their creation time, listed in id order), created bounds also become id bounds.
 */
export async function resolvePage(
  query: ListQuery,
  cursorOf: (id: string) => Promise<ListCursor | undefined>,
  idPrefix?: string,
): Promise<PageRequest> {
  if (query.startingAfter !== undefined && query.endingBefore !== undefined) {
    throw ValidationFailed.of('endingBefore', 'cannot be combined with starting_after');
  }
  const page: PageRequest = { limit: query.limit, createdGte: query.createdGte, createdLte: query.createdLte };
  if (idPrefix !== undefined && query.createdGte !== undefined) page.idAtLeast = lowestIdAt(idPrefix, Date.parse(query.createdGte));
  if (idPrefix !== undefined && query.createdLte !== undefined) page.idBelow = lowestIdAt(idPrefix, Date.parse(query.createdLte) + 1 + ID_AFTER_CREATED_MS);
  if (query.startingAfter !== undefined) {
    page.after = await cursorOf(query.startingAfter);
    if (!page.after) throw ValidationFailed.of('startingAfter', `must be the id of an object in this list (got '${query.startingAfter}')`);
  }
  if (query.endingBefore !== undefined) {
    page.before = await cursorOf(query.endingBefore);
    if (!page.before) throw ValidationFailed.of('endingBefore', `must be the id of an object in this list (got '${query.endingBefore}')`);
  }
  return page;
}
