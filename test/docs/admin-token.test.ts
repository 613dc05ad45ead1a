import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DOCUMENTED_PLACEHOLDERS } from '../../src/admin/admin-token.js';

// SPEC §1: the admin token must not be a placeholder printed in our own docs. Every
// `SUBLEDGER_ADMIN_TOKEN=<literal>` the README or docs/*.md show is refused by the start.

const ROOT = new URL('../../../', import.meta.url).pathname;
const documents = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];
/** A literal value after `SUBLEDGER_ADMIN_TOKEN=` (a `$(…)` or `$VAR` is a command, not an example token). */
const EXAMPLE = /SUBLEDGER_ADMIN_TOKEN=(?!["']?\$)["']?([^\s`'"]+)/g;

function refused(token: string): string {
  try {
    loadConfig({ SUBLEDGER_ADMIN_TOKEN: token });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  return assert.fail(`the documented token ${token} is accepted`);
}

describe('the admin tokens our docs print', () => {
  const examples = documents.flatMap((document) => [...readFileSync(join(ROOT, document), 'utf8').matchAll(EXAMPLE)].map((match) => ({ document, token: match[1]! })));

  test('the README shows at least one, and tells how to generate a real one', () => {
    assert.ok(examples.some((example) => example.document === 'README.md'), 'no SUBLEDGER_ADMIN_TOKEN example in the README');
    assert.match(readFileSync(join(ROOT, 'README.md'), 'utf8'), /openssl rand -hex 32/);
  });

  test('each example token is refused at start, naming the variable without echoing the value', () => {
    for (const { document, token } of [...examples, ...DOCUMENTED_PLACEHOLDERS.map((token) => ({ document: 'DOCUMENTED_PLACEHOLDERS', token }))]) {
      const message = refused(token);
      assert.match(message, /SUBLEDGER_ADMIN_TOKEN/, `${document}: ${message}`);
      assert.ok(!message.includes(token), `${document}: the message echoes the token: ${message}`);
    }
  });

  test('a generated token is accepted', () => {
    assert.equal(loadConfig({ SUBLEDGER_ADMIN_TOKEN: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }).adminToken?.length, 64);
  });
});
