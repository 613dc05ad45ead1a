import { ValidationFailed } from './errors.js';
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
 * Turns object-id cursors into keyset positions. The one pagination rule of the service:
 * newest first by (created_at, id); an unknown cursor id is a validation error.
 */
export async function resolvePage(
  query: ListQuery,
  cursorOf: (id: string) => Promise<ListCursor | undefined>,
): Promise<PageRequest> {
  if (query.startingAfter !== undefined && query.endingBefore !== undefined) {
    throw ValidationFailed.of('endingBefore', 'cannot be combined with starting_after');
  }
  const page: PageRequest = { limit: query.limit, createdGte: query.createdGte, createdLte: query.createdLte };
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
