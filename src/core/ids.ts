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

let lastTime = '';
let lastRandom = '';

/** The base62 string one greater than `digits` (same length; only the all-`z` string would wrap). */
function successor(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === 'z') i -= 1;
  if (i < 0) return randomBase62(digits.length);
  return digits.slice(0, i) + BASE62[BASE62.indexOf(digits[i]!) + 1] + '0'.repeat(digits.length - i - 1);
}

/**
 * `<prefix>_<8 time chars><13 random chars>`: 21 base62 characters like Moment's ids. The time
 * prefix keeps new rows at the right edge of the B-tree (cheaper inserts, see stack-ceilings §4)
 * and makes ids sort by creation; ~77 random bits keep them unguessable. Within one process ids
 * only grow (a second id in the same millisecond is the first one's successor, as ULIDs do), so
 * a holder's ledger entries list in the order they were written.
 */
export function newId(prefix: string): string {
  const time = timeBase62(Date.now(), 8);
  if (time > lastTime) {
    lastTime = time;
    lastRandom = randomBase62(13);
  } else {
    lastRandom = successor(lastRandom);
  }
  return `${prefix}_${lastTime}${lastRandom}`;
}
