import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

/** loadConfig(env) must throw a ConfigError whose message names `variable` and matches `rule`. */
function assertRejected(env: Record<string, string>, variable: string, rule: RegExp): void {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      assert.match(error.message, new RegExp(`\\b${variable}\\b`), `message does not name ${variable}: ${error.message}`);
      assert.ok(error.message.includes(env[variable]), `message does not quote the bad value ${env[variable]}: ${error.message}`);
      assert.match(error.message, rule);
      return true;
    },
  );
}

describe('loadConfig', () => {
  describe('defaults', () => {
    test('an empty environment gives port 4000, host 127.0.0.1, the embedded SQLite store and 6000 requests per minute', () => {
      const config = loadConfig({});
      assert.equal(config.port, 4000);
      assert.equal(config.host, '127.0.0.1');
      assert.equal(config.databaseUrl, 'sqlite:./data/subledger.db');
      assert.equal(config.rateLimitPerMinute, 6000);
    });

    test('the admin API is disabled and SMTP is off unless configured', () => {
      const config = loadConfig({});
      assert.equal(config.adminToken, undefined);
      assert.equal(config.smtpUrl, undefined);
    });

    test('API key lookups are trusted for SUBLEDGER_KEY_CACHE_SECONDS (default 5; 0 turns the cache off; at most 300)', () => {
      assert.equal(loadConfig({}).keyCacheMs, 5000);
      assert.equal(loadConfig({ SUBLEDGER_KEY_CACHE_SECONDS: '0' }).keyCacheMs, 0);
      assert.equal(loadConfig({ SUBLEDGER_KEY_CACHE_SECONDS: '30' }).keyCacheMs, 30_000);
      assertRejected({ SUBLEDGER_KEY_CACHE_SECONDS: '301' }, 'SUBLEDGER_KEY_CACHE_SECONDS', /300/);
      assertRejected({ SUBLEDGER_KEY_CACHE_SECONDS: '1.5' }, 'SUBLEDGER_KEY_CACHE_SECONDS', /integer/);
    });

    test('an empty variable counts as unset (its default applies)', () => {
      const config = loadConfig({ PORT: '', SUBLEDGER_ADMIN_TOKEN: '', SUBLEDGER_RATE_LIMIT: '' });
      assert.equal(config.port, 4000);
      assert.equal(config.adminToken, undefined);
      assert.equal(config.rateLimitPerMinute, 6000);
    });

    test('idempotency keys are kept at least 24 hours by default', () => {
      assert.ok(loadConfig({}).idempotencyTtlMs >= 24 * 3_600_000);
    });
  });

  describe('accepted values', () => {
    test('explicit values are read and typed', () => {
      const config = loadConfig({
        PORT: '8080',
        HOST: '0.0.0.0',
        DATABASE_URL: 'postgres://user:pw@db.example:5432/subledger',
        SUBLEDGER_ADMIN_TOKEN: 'an-admin-token-of-some-length-0123456789',
        SUBLEDGER_RATE_LIMIT: '0',
        SMTP_URL: 'smtp://mail.example:2525',
        SUBLEDGER_SQLITE_SYNC: 'full',
      });
      assert.equal(config.port, 8080);
      assert.equal(config.host, '0.0.0.0');
      assert.equal(config.databaseUrl, 'postgres://user:pw@db.example:5432/subledger');
      assert.equal(config.adminToken, 'an-admin-token-of-some-length-0123456789');
      assert.equal(config.rateLimitPerMinute, 0, 'SUBLEDGER_RATE_LIMIT=0 disables rate limiting');
      assert.equal(config.smtpUrl, 'smtp://mail.example:2525');
      assert.equal(config.sqliteSync, 'full');
    });

    test('PORT=0 (any free port), postgresql:// URLs and smtps:// URLs are accepted', () => {
      assert.equal(loadConfig({ PORT: '0' }).port, 0);
      assert.equal(loadConfig({ DATABASE_URL: 'postgresql://localhost/x' }).databaseUrl, 'postgresql://localhost/x');
      assert.equal(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example:465' }).smtpUrl, 'smtps://u:p@mail.example:465');
    });
  });

  describe('clear errors naming the variable', () => {
    test('PORT=abc: must be an integer', () => assertRejected({ PORT: 'abc' }, 'PORT', /integer/));
    test('PORT=70000: out of range', () => assertRejected({ PORT: '70000' }, 'PORT', /65535/));
    test('PORT=1.5: must be an integer', () => assertRejected({ PORT: '1.5' }, 'PORT', /integer/));
    test('DATABASE_URL=mysql://x: only sqlite: and postgres:// are supported', () =>
      assertRejected({ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /sqlite/));
    test('SUBLEDGER_RATE_LIMIT=-1: must not be negative', () => assertRejected({ SUBLEDGER_RATE_LIMIT: '-1' }, 'SUBLEDGER_RATE_LIMIT', />=\s*0|at least 0|negative/));
    test('SUBLEDGER_RATE_LIMIT=lots: must be an integer', () => assertRejected({ SUBLEDGER_RATE_LIMIT: 'lots' }, 'SUBLEDGER_RATE_LIMIT', /integer/));
    test('SUBLEDGER_SQLITE_SYNC=off: lists the allowed values', () =>
      assertRejected({ SUBLEDGER_SQLITE_SYNC: 'off' }, 'SUBLEDGER_SQLITE_SYNC', /normal.*full|full.*normal/));
    test('SMTP_URL=http://x: must be an smtp:// URL', () => assertRejected({ SMTP_URL: 'http://x' }, 'SMTP_URL', /smtp/));

    test('several bad variables are all named in one error', () => {
      assert.throws(
        () => loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', SMTP_URL: 'http://x' }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          for (const name of ['PORT', 'DATABASE_URL', 'SMTP_URL']) assert.match(error.message, new RegExp(`\\b${name}\\b`));
          return true;
        },
      );
    });

    test('the error is a message, not a stack of validator internals', () => {
      try {
        loadConfig({ PORT: 'abc' });
        assert.fail('PORT=abc was accepted');
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        assert.doesNotMatch(error.message, /\bat \S+ \(|node_modules|\[object Object\]/);
      }
    });
  });
});
