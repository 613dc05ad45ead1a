import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpiringMap } from '../../src/store/expiring-map.js';

// The bounded map under the key cache, the principal cache and the tenant cache.

describe('ExpiringMap', () => {
  test('an entry is served until its own time, then dropped; one already past is never stored', () => {
    const map = new ExpiringMap<string, number>(10);
    map.set('a', 1, 2_000, 1_000);
    map.set('forever', 2, Infinity, 1_000);
    map.set('late', 3, 1_000, 1_000);
    assert.equal(map.get('a', 1_999), 1);
    assert.equal(map.get('a', 2_000), undefined);
    assert.equal(map.get('a', 1_500), undefined, 'a lapsed entry is gone, not kept for an earlier clock');
    assert.equal(map.get('forever', Number.MAX_SAFE_INTEGER), 2);
    assert.equal(map.get('late', 999), undefined);
  });

  test('at its bound it starts again, and clear() forgets everything', () => {
    const map = new ExpiringMap<number, number>(3);
    for (const n of [1, 2, 3]) map.set(n, n, Infinity, 0);
    assert.deepEqual([1, 2, 3].map((n) => map.get(n, 0)), [1, 2, 3]);
    map.set(4, 4, Infinity, 0);
    assert.deepEqual([1, 2, 3, 4].map((n) => map.get(n, 0)), [undefined, undefined, undefined, 4]);
    map.clear();
    assert.equal(map.get(4, 0), undefined);
  });
});
