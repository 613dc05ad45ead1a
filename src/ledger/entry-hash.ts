import { hash } from 'node:crypto';
import type { LedgerEntry, Scope } from './model.js';

/**
 * One hash chain per balance (SPEC §8 "Hash chains"): an entry's `hash` is the SHA-256 (lowercase
 * hex) of the previous entry's hash on the same balance (ZERO_HASH for a balance's first entry)
 * followed by the entry's canonical encoding. A chain per balance, not per tenant: a posting
 * reads the previous hash from the balance row it already holds locked (Balance.hash), so no
 * write waits on anything it did not already lock. The encoding is written out for other
 * programs in docs/decisions.md ("Hash chains"); change it only with a new version tag.
 */
export const ZERO_HASH = '0'.repeat(64);

/** The first bytes of every encoding: names the version of the field list below. */
export const ENCODING_TAG = 'subledger.entry.v1';

/** The immutable fields of an entry, in the order they are encoded (stored column names). */
export const ENCODED_FIELDS = [
  'tenant_id',
  'mode',
  'holder_id',
  'currency',
  'sequence',
  'id',
  'kind',
  'amount',
  'balance_after',
  'counterparty',
  'contra_id',
  'reference',
  'request_id',
  'idempotency_key',
  'actor',
  'created_at',
] as const;

/** What is encoded: every field as text (integers, money included, as exact decimal integer text), or null. */
export type EncodedEntry = Record<(typeof ENCODED_FIELDS)[number], string | null>;

/** The fields of a domain entry as encoded. */
export function encodedFieldsOf(scope: Scope, e: Omit<LedgerEntry, 'hash'>): EncodedEntry {
  return {
    tenant_id: scope.tenantId,
    mode: scope.mode,
    holder_id: e.holderId,
    currency: e.currency,
    sequence: String(e.sequence),
    id: e.id,
    kind: e.kind,
    amount: e.amount.toString(),
    balance_after: e.balanceAfter.toString(),
    counterparty: e.counterparty,
    contra_id: e.contraId,
    reference: e.reference,
    request_id: e.requestId,
    idempotency_key: e.idempotencyKey,
    actor: e.actor,
    created_at: e.createdAt,
  };
}

/**
 * The canonical encoding: ENCODING_TAG, then each field in ENCODED_FIELDS order as
 * `<byte length of its UTF-8>:<its UTF-8>`, or `-` when null, all as one
 * UTF-8 string. Length prefixes make it unambiguous without escaping.
 */
export function canonicalEncoding(fields: EncodedEntry): string {
  let text = ENCODING_TAG;
  for (const name of ENCODED_FIELDS) {
    const value = fields[name];
    text += value === null ? '-' : `${Buffer.byteLength(value, 'utf8')}:${value}`;
  }
  return text;
}

/** SHA-256 hex of the previous hash's 64 ASCII characters followed by the entry's canonical encoding. */
export function chainHash(previousHash: string, fields: EncodedEntry): string {
  // One-shot hash (no Hash object): a third of createHash's cost for inputs this short. The
  // previous hash is 64 ASCII characters, so as UTF-8 it is the same bytes as before.
  return hash('sha256', previousHash + canonicalEncoding(fields), 'hex');
}

/** The hash of a domain entry that follows `previousHash` on its balance. */
export function entryHash(scope: Scope, previousHash: string, entry: Omit<LedgerEntry, 'hash'>): string {
  return chainHash(previousHash, encodedFieldsOf(scope, entry));
}
