import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { creationTimeOfId, lowestIdAt, newId, randomBase62 } from '../../src/ledger/ids.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Busy-waits (no timer, no sleep) until the wall clock moves to a later millisecond. */
function nextMillisecond(): number {
  const start = Date.now();
  let now = start;
  while (now === start) now = Date.now();
  return now;
}

describe('newId', () => {
  test('is the prefix, an underscore and 21 base62 characters', () => {
    for (const prefix of ['bacc', 'bcus', 'ble', 'evt']) {
      const id = newId(prefix);
      assert.match(id, new RegExp(`^${prefix}_[0-9A-Za-z]{21}$`));
    }
  });

  test('10,000 ids are all different', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(newId('bacc'));
    assert.equal(ids.size, 10_000);
  });

  test('an id made in a later millisecond sorts after one made earlier', () => {
    for (let round = 0; round < 20; round++) {
      const earlier = newId('bacc');
      nextMillisecond();
      const later = newId('bacc');
      assert.ok(earlier < later, `${earlier} must sort before ${later}`);
    }
  });
});

describe('randomBase62', () => {
  test('gives exactly the requested number of base62 characters', () => {
    for (const length of [0, 1, 13, 32, 100]) {
      const text = randomBase62(length);
      assert.equal(text.length, length);
      assert.match(text, /^[0-9A-Za-z]*$/);
    }
  });

  test('uses the whole alphabet of 62 characters', () => {
    const seen = new Set(randomBase62(20_000));
    assert.deepEqual([...seen].sort().join(''), [...BASE62].sort().join(''));
  });

  test('uses every character about equally often (no modulo bias)', () => {
    const sample = randomBase62(62_000);
    const counts = new Map<string, number>();
    for (const c of sample) counts.set(c, (counts.get(c) ?? 0) + 1);
    // Expected 1,000 each; a standard deviation is ~31, so 800..1,200 is > 6 sigma either way.
    for (const c of BASE62) {
      const n = counts.get(c) ?? 0;
      assert.ok(n > 800 && n < 1200, `'${c}' appeared ${n} times in 62,000 characters`);
    }
  });
});

describe('ids of a given instant (lists run in id order)', () => {
  const instants = ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.001Z', '2026-03-04T05:06:07.089Z', '2031-12-31T23:59:59.999Z'];

  test('an id made for an instant sorts as (instant, id) does, whatever order they are made in', () => {
    const made = [...instants, ...instants].reverse().map((at) => ({ at, id: newId('bacc', at) }));
    const byId = [...made].sort((a, b) => (a.id < b.id ? -1 : 1)).map((m) => m.at);
    assert.deepEqual(byId, [...made].map((m) => m.at).sort());
  });

  test('lowestIdAt(ms) is above every id of an earlier millisecond and at or below every id of that millisecond or later', () => {
    for (const at of instants) {
      const ms = Date.parse(at);
      const bound = lowestIdAt('bacc', ms);
      assert.ok(newId('bacc', new Date(ms - 1).toISOString()) < bound);
      assert.ok(newId('bacc', at) >= bound);
      assert.ok(newId('bacc', new Date(ms + 1).toISOString()) >= bound);
    }
  });

  test("an id made for a later instant (a tenant's test clock ahead) moves no other id: ids of one millisecond still grow", () => {
    const instant = new Date(Date.now() - 60_000).toISOString();
    const first = newId('bacc', instant);
    const later = newId('bacc', new Date(Date.now() + 365 * 86_400_000).toISOString());
    const wall = newId('bacc');
    const second = newId('bacc', instant);
    assert.ok(wall < later, 'an id of the wall clock carries its own millisecond, not the later one');
    assert.equal(creationTimeOfId(second), Date.parse(instant));
    assert.ok(first < second, 'a second id of a millisecond is greater than the first, whatever was made between them');
  });
});
