import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PrincipalCache, type Principal } from '../../src/http/auth.js';

// The per-surface cache of who a credential header proved to be: never longer than the key
// cache's lifetime, never past the credential's own expiry, and nothing at all with a lifetime of 0.

function principal(expiresAtMs?: number): Principal {
  return { scope: { tenantId: 'ten_1', mode: 'test' }, keyId: 'key_1', keyType: 'secret', roles: [], clientId: null, actor: 'key_1', expiresAtMs } as Principal;
}

describe('PrincipalCache', () => {
  test('a principal is served until the cache lifetime ends, then looked up again', () => {
    const cache = new PrincipalCache(5_000);
    const who = principal();
    cache.set('Bearer sk_test_a', who, 1_000);
    assert.equal(cache.get('Bearer sk_test_a', 5_999), who);
    assert.equal(cache.get('Bearer sk_test_b', 5_999), undefined);
    assert.equal(cache.get('Bearer sk_test_a', 6_000), undefined);
    assert.equal(cache.get('Bearer sk_test_a', 1_000), undefined, 'an expired entry is dropped, not kept for an earlier clock');
  });

  test('an access token is not served past its own expiry, however long the cache lifetime', () => {
    const cache = new PrincipalCache(60_000);
    cache.set('Bearer eyJ.a', principal(3_000), 1_000);
    assert.ok(cache.get('Bearer eyJ.a', 2_999));
    assert.equal(cache.get('Bearer eyJ.a', 3_000), undefined);
    cache.set('Bearer eyJ.b', principal(500), 1_000);
    assert.equal(cache.get('Bearer eyJ.b', 1_000), undefined, 'an already expired credential is never stored');
  });

  test('a lifetime of 0 stores nothing, clear() forgets everything, and stored principals cannot be changed', () => {
    const off = new PrincipalCache(0);
    off.set('Bearer sk_test_a', principal(), 1_000);
    assert.equal(off.get('Bearer sk_test_a', 1_000), undefined);

    const cache = new PrincipalCache(5_000);
    cache.set('Bearer sk_test_a', principal(), 1_000);
    const stored = cache.get('Bearer sk_test_a', 1_001)!;
    assert.throws(() => {
      (stored as { actor: string }).actor = 'someone else';
    }, TypeError);
    cache.clear();
    assert.equal(cache.get('Bearer sk_test_a', 1_001), undefined);
  });
});
