import { ValidationFailed } from '../../../ledger/errors.js';
import type { Metadata } from './model.js';

/** SPEC §3: at most 20 keys, key ≤ 40 chars, values strings ≤ 500 chars. */
export const METADATA_LIMITS = { maxKeys: 20, maxKeyLength: 40, maxValueLength: 500 } as const;

/** A metadata change as sent: a value of "" or null removes the key. */
export type MetadataPatch = Record<string, string | null>;

/** Applies a patch (merge; "" or null removes) and checks the result against the limits. */
export function mergeMetadata(current: Metadata, patch: MetadataPatch | undefined): Metadata {
  if (patch === undefined) return current;
  const merged: Metadata = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === '') delete merged[key];
    else merged[key] = value;
  }
  if (Object.keys(merged).length > METADATA_LIMITS.maxKeys) {
    throw ValidationFailed.of('metadata', `must have at most ${METADATA_LIMITS.maxKeys} keys after the update`);
  }
  return merged;
}
