import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { call } from '../support/http.js';
import { operationsOf, servedDocument, type OpenApiDocument } from '../support/openapi.js';
import { PROBE_CONTENT_TYPE, probeSurface } from '../support/probe-surface.js';
import { build, type TestApp } from '../support/server.js';

// The document a real server serves, as tools and generated clients read it: Redocly's
// recommended rules, and the conventions the shared plumbing (src/http/openapi-operations.ts)
// gives every surface.

const REDOCLY_CLI = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');

/** The warnings docs/decisions.md ("API reference") justifies keeping, by rule and place. */
const KEPT_WARNINGS = [
  'info-license-strict #/info/license', // no licence is granted yet: UNLICENSED is no SPDX id
  'operation-4xx-response #/paths/~1healthz/get/responses', // a probe without input has no client error
  'operation-4xx-response #/paths/~1readyz/get/responses',
  'operation-4xx-response #/paths/~1.well-known~1jwks.json/get/responses', // the JWKS takes no input and is always there
];

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer: string }[];
}

/** `redocly lint` with its recommended rules, offline (no telemetry, no update check). */
async function redoclyLint(document: OpenApiDocument): Promise<LintProblem[]> {
  const dir = mkdtempSync(join(tmpdir(), 'subledger-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document, null, 2));
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
    // It exits 1 when it finds errors; the JSON report is on stdout either way.
    const { stdout } = await promisify(execFile)(process.execPath, [REDOCLY_CLI, 'lint', file, '--extends=recommended', '--format=json', '--max-problems=1000'], { env, cwd: dir }).catch(
      (error: { stdout?: string; stderr?: string }) => {
        if (!error.stdout) throw new Error(`redocly lint failed: ${error.stderr}`);
        return { stdout: error.stdout };
      },
    );
    return (JSON.parse(stdout) as { problems: LintProblem[] }).problems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const describeProblem = (p: LintProblem) => `${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`;

describe('/openapi.json of a real server', () => {
  let server: TestApp;
  let document: OpenApiDocument;
  before(async () => {
    server = await build('sqlite');
    document = await servedDocument(server);
  });
  after(() => server.close());

  test('redocly lint (recommended rules) finds no error, and only the warnings docs/decisions.md justifies', async () => {
    const problems = await redoclyLint(document);
    const errors = problems.filter((p) => p.severity === 'error');
    assert.deepEqual(errors.map(describeProblem), [], 'redocly lint errors');
    const warnings = problems.filter((p) => p.severity === 'warn').map((p) => `${p.ruleId} ${p.location[0]?.pointer}`);
    assert.deepEqual(warnings.filter((w) => !KEPT_WARNINGS.includes(w)), [], 'warnings not justified in docs/decisions.md');
  });

  test('every operation has a unique operationId, a summary and real response descriptions', () => {
    const ids = new Set<string>();
    for (const { method, path, operation } of operationsOf(document)) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(operation.operationId, `${where} has no operationId`);
      assert.ok(!ids.has(operation.operationId), `${where}: operationId ${operation.operationId} is used twice`);
      ids.add(operation.operationId);
      assert.ok(operation.summary, `${where} has no summary`);
      for (const [status, response] of Object.entries(operation.responses)) {
        assert.notEqual(response.description, 'Default Response', `${where} ${status} has fastify-swagger's placeholder description`);
      }
    }
  });

  test('creates declare 201; failures are problem+json on billing and admin routes', () => {
    const creates = ['createBillingCustomer', 'createBillingAccount', 'createTenant', 'createTenantKey', 'createWebhookEndpoint', 'queueEmail'];
    for (const { method, path, operation } of operationsOf(document)) {
      if (creates.includes(operation.operationId!)) assert.deepEqual(Object.keys(operation.responses).filter((s) => s.startsWith('2')), ['201'], `${method} ${path}`);
      if (!path.startsWith('/billing') && !path.startsWith('/admin')) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        assert.deepEqual(Object.keys(response.content ?? {}), ['application/problem+json'], `${method.toUpperCase()} ${path} ${status}`);
      }
    }
  });

  test('a POST lists 400, 413, 415, 500 and 503, a billing POST 401, 403, 409 and 429, an admin POST 429 (throttled guessing), a path parameter 404', () => {
    const statusesOf = (method: string, path: string) => Object.keys(document.paths[path]![method]!.responses);
    assert.deepEqual(statusesOf('post', '/billing/accounts'), ['201', '400', '401', '403', '409', '413', '415', '429', '500', '503']);
    assert.deepEqual(statusesOf('patch', '/billing/accounts/{account}'), ['200', '400', '401', '403', '404', '409', '413', '415', '429', '500', '503']);
    assert.deepEqual(statusesOf('get', '/billing/accounts'), ['200', '400', '401', '403', '429', '500', '503']);
    // The admin API takes no idempotency key and no key's rate limit applies to the operator; guessing its token is throttled (429).
    assert.deepEqual(statusesOf('post', '/admin/v1/tenants/{tenantId}/keys'), ['201', '400', '401', '404', '413', '415', '429', '500', '503']);
  });

  test('Try-it-out with the defaults sends nothing the user did not choose: no required parameter with a default, no example on an optional query parameter', () => {
    for (const { method, path, operation } of operationsOf(document)) {
      for (const parameter of operation.parameters ?? []) {
        const where = `${method.toUpperCase()} ${path} ${parameter.in} ${parameter.name}`;
        if (parameter.schema?.default !== undefined) assert.notEqual(parameter.required, true, `${where} has a default, so it is not required`);
        if (parameter.in === 'query' && !parameter.required) {
          assert.equal(parameter.example ?? parameter.examples ?? parameter.schema?.examples, undefined, `${where}: Swagger UI would fill its example in`);
        }
      }
    }
    const limit = document.paths['/billing/accounts']!.get!.parameters!.find((p) => p.name === 'limit')!;
    assert.deepEqual([limit.required, limit.schema?.default], [false, 10]);
  });

  test('security: every scheme is used, every requirement names a declared scheme, open routes need none', () => {
    const declared = Object.keys(document.components.securitySchemes ?? {});
    const used = new Set<string>();
    for (const { method, path, operation } of operationsOf(document)) {
      assert.ok(Array.isArray(operation.security), `${method.toUpperCase()} ${path} declares its security`);
      for (const requirement of operation.security) for (const name of Object.keys(requirement)) used.add(name);
    }
    assert.deepEqual([...used].sort(), [...declared].sort());
    assert.deepEqual(document.paths['/healthz']!.get!.security, []);
    assert.deepEqual(document.paths['/billing/accounts']!.get!.security, [{ billingSecretKey: [] }]);
    assert.deepEqual(document.paths['/admin/v1/tenants']!.post!.security, [{ adminToken: [] }]);
  });

  test('examples: payment rules show amounts, not 2^53−1; a customer is not named like an account', () => {
    const text = JSON.stringify(document);
    assert.ok(!text.includes('"examples":[9007199254740991]') && !/"example":\s*9007199254740991/.test(text));
    const customerName = (document.paths['/billing/customers']!.post!.requestBody as { content: Record<string, { schema: { properties: Record<string, { examples?: string[] }> } }> })
      .content['application/json']!.schema.properties.name!;
    assert.deepEqual(customerName.examples, ['John Doe']);
  });

  test('servers and info.license are set', () => {
    assert.deepEqual(document.servers, [{ url: '/', description: 'The server that serves this document' }]);
    assert.ok((document.info as { license?: { name: string } }).license?.name);
  });

  test('/docs/errors renders its Markdown: code spans, no literal backticks', async () => {
    for (const page of ['/docs/errors', '/docs/errors/admin']) {
      const html = (await call(server, 'GET', page)).text;
      assert.ok(!html.includes('`'), `${page} prints a backtick`);
      assert.match(html, /<code>application\/json<\/code>/, page);
    }
  });
});

describe('a surface added next to the real ones inherits the conventions', () => {
  let server: TestApp;
  let document: OpenApiDocument;
  before(async () => {
    server = await build('sqlite', { extraSurfaces: [probeSurface] });
    document = await servedDocument(server);
  });
  after(() => server.close());

  test('its failures in its own media type and schema, its security scheme, tags, and none on its open route', () => {
    const whoami = document.paths['/probe/whoami']!.get!;
    assert.deepEqual(whoami.security, [{ probeKey: [] }]);
    assert.deepEqual(Object.keys(whoami.responses), ['200', '401', '403', '429', '500', '503']);
    assert.deepEqual(whoami.responses['401']!.content, { [PROBE_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProbeError' } } });
    assert.ok(document.components.schemas?.ProbeError && document.components.schemas.ProblemDetails);
    const echo = document.paths['/probe/echo']!.post!;
    assert.deepEqual(echo.tags, ['probe']);
    assert.deepEqual(Object.keys(echo.responses).filter((s) => s >= '400'), ['400', '401', '403', '409', '413', '415', '429', '500', '503']);
    const token = document.paths['/probe-oauth/token']!.post!;
    assert.deepEqual(token.security, []);
    assert.ok(!('401' in token.responses), 'an open route asks for no credentials');
  });
});
