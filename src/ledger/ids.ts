import { nowMs } from './clock.js';
import { randomFillSync } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// Random bytes are drawn from the CSPRNG in 4 KiB refills: one call per ~150 ids instead of one
// call per id (a sync crypto call per id cost ~7% of a create request).
const pool = Buffer.allocUnsafe(4096);
let poolOffset = pool.length;

function randomByte(): number {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
}

/** Uniform random base62 characters (rejection sampling: bytes ≥ 248 would bias the alphabet). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    if (byte < 248) out += BASE62[byte % 62];
  }
  return out;
}

function timeBase62(ms: number, width: number): string {
  let out = '';
  let rest = ms;
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, '0');
}

/** Characters of an id's time part: base62 milliseconds since 1970, enough until the year 8888. */
const TIME_WIDTH = 8;

/** The wall-clock millisecond of the latest id made without `at` (ids made so never go back with the clock). */
let lastWallTime = '';
/** The random part of the latest id of each recent millisecond, oldest millisecond first. */
const lastRandomOf = new Map<string, string>();
const REMEMBERED_MILLISECONDS = 1024;

/** The base62 string one greater than `digits` (same length; only the all-`z` string would wrap). */
function successor(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === 'z') i -= 1;
  if (i < 0) return randomBase62(digits.length);
  return digits.slice(0, i) + BASE62[BASE62.indexOf(digits[i]!) + 1] + '0'.repeat(digits.length - i - 1);
}

/**
 * `<prefix>_<8 time chars><13 random chars>`: 21 base62 characters (the first vendor's id shape). The time
 * prefix keeps new rows at the right edge of the B-tree (cheaper inserts, see stack-ceilings §4)
 * and makes ids sort by creation; ~77 random bits keep them unguessable. Within one process,
 * ids of one millisecond only grow (a second id of a millisecond is the first one's successor,
 * as ULIDs do), so a holder's ledger entries list in the order they were written.
 *
 * `at` (an ISO instant) makes an id of that millisecond instead: an object whose `created_at`
 * is `at` then sorts by id exactly as by (created_at, id), which lets lists run in id order
 * (pagination.ts). Tenants' test clocks (SPEC §7) make ids of different instants side by side:
 * each millisecond keeps its own successor chain, so none of them is out of order.
 */
export function newId(prefix: string, at?: string): string {
  let time = timeBase62(at === undefined ? nowMs() : Date.parse(at), TIME_WIDTH);
  if (at === undefined) {
    // A wall clock that steps back keeps the last millisecond (ids still only grow).
    if (time < lastWallTime) time = lastWallTime;
    else lastWallTime = time;
  }
  const last = lastRandomOf.get(time);
  const random = last === undefined ? randomBase62(13) : successor(last);
  if (last === undefined && lastRandomOf.size >= REMEMBERED_MILLISECONDS) lastRandomOf.delete(lastRandomOf.keys().next().value!);
  lastRandomOf.set(time, random);
  return `${prefix}_${time}${random}`;
}

/**
 * The lowest possible id with `prefix` made in millisecond `ms` or later: every such id sorts
 * at or above it, every id made earlier below it. Lists by id turn a time bound into an id
 * bound with it, which the primary key answers.
 */
export function lowestIdAt(prefix: string, ms: number): string {
  return `${prefix}_${timeBase62(ms, TIME_WIDTH)}`;
}

let lastHexTime = '';
let lastHexRandom = 0n;

/**
 * 24 lowercase hex characters (another vendor's id shape, SPEC §4): 12 of the creation millisecond,
 * so ids sort by creation like the others and lists run in id order, then 48 random bits. A
 * second id of the same millisecond is the first one's successor, as in newId.
 */
export function newHexId(at?: string): string {
  const time = (at === undefined ? nowMs() : Date.parse(at)).toString(16).padStart(12, '0');
  let random = 0n;
  for (let i = 0; i < 6; i += 1) random = (random << 8n) | BigInt(randomByte());
  if (time === lastHexTime && lastHexRandom < 2n ** 48n - 1n) random = lastHexRandom + 1n;
  if (time >= lastHexTime) {
    lastHexTime = time;
    lastHexRandom = random;
  }
  return time + random.toString(16).padStart(12, '0');
}

/**
 * The creation millisecond an id carries (newId's base62 time part after the prefix, newHexId's
 * first 12 hex digits); 0 for an id of neither shape. Orders holders of different tables (and
 * id formats) by creation, as each table's own id order does.
 */
export function creationTimeOfId(id: string): number {
  if (/^[0-9a-f]{24}$/.test(id)) return Number.parseInt(id.slice(0, 12), 16);
  const underscore = id.lastIndexOf('_');
  const time = id.slice(underscore + 1, underscore + 1 + TIME_WIDTH);
  if (underscore < 0 || time.length < TIME_WIDTH) return 0;
  let ms = 0;
  for (const char of time) {
    const digit = BASE62.indexOf(char);
    if (digit < 0) return 0;
    ms = ms * 62 + digit;
  }
  return ms;
}
