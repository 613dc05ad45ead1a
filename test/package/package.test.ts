import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { builtCli, ROOT } from '../support/built-cli.js';
import { serviceEnv } from '../support/serve-process.js';
import { runToEnd, type ProcessResult } from '../support/run-cli.js';
import { waitFor } from '../support/wait.js';

// SPEC §7 "Installed like any dev dependency": `npm pack` of the repository, installed into an
// empty project, is a working package: `npx subledger` serves as `npm start` does, and
// `import { startSubledger } from 'subledger/testing'` works from JavaScript and type-checks
// from TypeScript. Everything runs from the temporary project, never from the repository.

const TIMEOUT = { timeout: 120_000 };
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const REPOSITORY_PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };


const run = runToEnd;

function succeeded(result: ProcessResult, what: string): string {
  assert.equal(result.code, 0, `${what} exited ${result.code}\nstdout: ${result.stdout.slice(-3000)}\nstderr: ${result.stderr.slice(-3000)}`);
  return result.stdout;
}

/** Path and mode of every file in a .tgz (ustar, as npm writes it; pax headers skipped). */
function tarballFiles(file: string): Map<string, number> {
  const tar = gunzipSync(readFileSync(file));
  const files = new Map<string, number>();
  const field = (offset: number, length: number) => tar.toString('utf8', offset, offset + length).replace(/\0.*$/s, '');
  for (let offset = 0; offset + 512 <= tar.length && tar[offset] !== 0; ) {
    const name = field(offset, 100);
    const prefix = field(offset + 345, 155);
    const size = parseInt(field(offset + 124, 12).trim() || '0', 8);
    const type = field(offset + 156, 1);
    if (type === '0' || type === '') files.set(prefix ? `${prefix}/${name}` : name, parseInt(field(offset + 100, 8).trim(), 8));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

let workspace: string;
let project: string;
let tarball: string;
let packed: Map<string, number>;

before(async () => {
  // The package is packed from the build `npm test` made (refused when older than src/), with
  // --ignore-scripts: `prepack` would rebuild dist/ in place while other test files run from it.
  builtCli();
  workspace = mkdtempSync(join(tmpdir(), 'subledger-package-'));
  project = join(workspace, 'project');
  mkdirSync(project);
  const pack = succeeded(await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', workspace], ROOT), 'npm pack');
  const [{ filename }] = JSON.parse(pack) as [{ filename: string }];
  tarball = join(workspace, filename);
  packed = tarballFiles(tarball);

  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
  // --ignore-scripts: better-sqlite3's install script would compile SQLite from source (about
  // 80 s of CPU here; there is no network for its prebuilt binaries). This test checks our
  // package, not better-sqlite3's build, so the repository's own compiled addon (same version,
  // same machine) is copied to where the installed copy looks for it.
  succeeded(await run(npm, ['install', tarball, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], project), 'npm install');
  const addon = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  mkdirSync(join(project, 'node_modules', 'better-sqlite3', 'build', 'Release'), { recursive: true });
  copyFileSync(join(ROOT, addon), join(project, addon));
});
after(() => rmSync(workspace, { recursive: true, force: true }));

describe('the npm package', { concurrency: true }, () => {
  test('holds the compiled code, its declarations and the built console; no tests, sources or maps', () => {
    const names = [...packed.keys()].map((name) => name.replace(/^package\//, ''));
    for (const file of ['package.json', 'README.md', 'docs/testing.md', 'dist/cli/main.js', 'dist/testing/start.js', 'dist/testing/start.d.ts', 'dist/console/index.html', 'dist/http/openapi.js']) {
      assert.ok(names.includes(file), `${file} is not in the package`);
    }
    assert.ok(names.some((name) => /^dist\/console\/assets\/.+\.js$/.test(name)), 'the console bundle is not in the package');
    const unwanted = names.filter((name) => /^(test|src|bench|scripts|console|tools|data)\//.test(name) || name.endsWith('.map') || name.endsWith('.ts') && !name.endsWith('.d.ts') || name === 'dist/.build-stamp');
    assert.deepEqual(unwanted, []);
    assert.equal(packed.get('package/dist/cli/main.js')! & 0o111, 0o111, 'the bin is executable in the tarball');
  });

  test('`npx subledger --help` lists the commands', TIMEOUT, async () => {
    const help = succeeded(await run(npx, ['subledger', '--help'], project), 'npx subledger --help');
    for (const command of ['serve', 'migrate', 'tenants', 'keys']) assert.match(help, new RegExp(`^\\s+${command}\\b`, 'm'));
    assert.equal(statSync(join(project, 'node_modules', '.bin', 'subledger')).mode & 0o111, 0o111);
  });

  test('`npx subledger serve` serves like `npm start`: test key printed, API, docs and console from the package', TIMEOUT, async () => {
    const data = mkdtempSync(join(workspace, 'serve-'));
    const adminToken = 'package-admin-token-0123456789-abcdef';
    const env = serviceEnv({ DATABASE_URL: `sqlite:${join(data, 'served.db')}`, SUBLEDGER_ADMIN_TOKEN: adminToken });
    // Its own process group: npx runs node as its child, and the SIGTERM below goes to both.
    const child = spawn(npx, ['subledger', 'serve'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const exit = once(child, 'exit');
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    try {
      const base = await waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${stderr}`);
          return /API docs: (http:\/\/127\.0\.0\.1:\d+)\/docs/.exec(stdout)?.[1];
        },
        60_000,
        () => `serve to print its address\nstdout: ${stdout}\nstderr: ${stderr}`,
      );
      const key = /\bsk_test_[0-9A-Za-z]{32}\b/.exec(stdout)?.[0];
      assert.ok(key, `no test key printed:\n${stdout}`);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const customers = await fetch(`${base}/billing/customers`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(customers.status, 200, await customers.text());
      // src/http/openapi.ts reads ../../package.json: in the package, the package's own.
      const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { info: { version: string } };
      assert.equal(openapi.info.version, REPOSITORY_PACKAGE.version);
      // The console's page and bundle, from dist/console inside the installed package.
      const page = await fetch(`${base}/console/`);
      assert.equal(page.status, 200);
      const html = await page.text();
      const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      assert.ok(script, html);
      assert.equal((await fetch(`${base}${script}`)).status, 200);
    } finally {
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    }
    assert.doesNotMatch(stderr, /error/i, stderr);
  });

  test("`import { startSubledger } from 'subledger/testing'`: two instances sharing nothing, OAuth, and stop() deleting the database", TIMEOUT, async () => {
    // A private TMPDIR: the databases the script's instances make are the only entries there.
    const temporary = mkdtempSync(join(workspace, 'tmp-'));
    writeFileSync(
      join(project, 'consumer.mjs'),
      `import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startSubledger } from 'subledger/testing';

const [a, b] = await Promise.all([startSubledger(), startSubledger()]);
const bearer = (key) => ({ authorization: 'Bearer ' + key });
const created = await fetch(a.url + '/billing/customers', {
  method: 'POST',
  headers: { ...bearer(a.tenant.keys.test.secret), 'content-type': 'application/json', 'idempotency-key': 'consumer-1' },
  body: JSON.stringify({ external_reference: 'CUS-1', name: 'Only in A' }),
});
const inA = await fetch(a.url + '/billing/customers', { headers: bearer(a.tenant.keys.test.secret) }).then((r) => r.json());
const inB = await fetch(b.url + '/billing/customers', { headers: bearer(b.tenant.keys.test.secret) }).then((r) => r.json());
const { client_id, client_secret } = a.tenant.oauthClient;
const token = await fetch(a.url + '/oauth2/token', {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'client_credentials', client_id, client_secret }),
}).then((r) => r.json());
const orgAccounts = await fetch(a.url + '/v1/accounts', { headers: bearer(token.access_token) });
const databasesWhileRunning = readdirSync(tmpdir()).length;
await Promise.all([a.stop(), b.stop()]);
console.log(JSON.stringify({
  urls: [a.url, b.url],
  tenants: [a.tenant.id, b.tenant.id],
  created: created.status,
  inA: inA.data.map((c) => c.external_reference),
  inB: inB.data.map((c) => c.external_reference),
  tokenType: token.token_type,
  orgAccounts: orgAccounts.status,
  databasesWhileRunning,
  databasesAfterStop: readdirSync(tmpdir()).length,
}));
`,
    );
    const output = succeeded(await run(process.execPath, ['consumer.mjs'], project, { ...process.env, TMPDIR: temporary }), 'node consumer.mjs');
    const seen = JSON.parse(output) as Record<string, unknown>;
    assert.notEqual((seen.urls as string[])[0], (seen.urls as string[])[1]);
    assert.notEqual((seen.tenants as string[])[0], (seen.tenants as string[])[1]);
    assert.equal(seen.created, 201);
    assert.deepEqual(seen.inA, ['CUS-1']);
    assert.deepEqual(seen.inB, []);
    assert.equal(seen.tokenType, 'Bearer');
    assert.equal(seen.orgAccounts, 200);
    assert.equal(seen.databasesWhileRunning, 2);
    assert.equal(seen.databasesAfterStop, 0);
  });

  test("'subledger/testing' type-checks from TypeScript (moduleResolution nodenext)", TIMEOUT, async () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022'], types: [], strict: true, noEmit: true, skipLibCheck: false }, files: ['consumer.ts'] }),
    );
    writeFileSync(
      join(project, 'consumer.ts'),
      `import { startSubledger, type StartedSubledger, type StartSubledgerOptions } from 'subledger/testing';

const options: StartSubledgerOptions = { port: 0, adminToken: 'at-least-thirty-two-characters-0123456789' };
const sl: StartedSubledger = await startSubledger(options);
const url: string = sl.url;
const secret: string = sl.tenant.keys.test.secret;
const live: string = sl.tenant.keys.live.publishable;
const clientId: string = sl.tenant.oauthClient.client_id;
await sl.stop();
// The declarations are real types, not any: each line below must be an error.
// @ts-expect-error port is a number
await startSubledger({ port: '0' });
// @ts-expect-error no such option
await startSubledger({ databaseURL: 'sqlite::memory:' });
// @ts-expect-error url is a string
const wrong: number = sl.url;
export { url, secret, live, clientId, wrong };
`,
    );
    succeeded(await run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], project), 'tsc --noEmit');
  });

  test('the examples of docs/testing.md pass against the installed package (node:test, and vitest through a stand-in)', TIMEOUT, async () => {
    const guide = readFileSync(join(ROOT, 'docs', 'testing.md'), 'utf8');
    const examples = [...guide.matchAll(/<!-- example: ([\w.-]+\.mjs) -->\n```js\n([\s\S]*?)\n```/g)].map(([, name, code]) => ({ name: name!, code: code! }));
    assert.deepEqual(examples.map((example) => example.name).sort(), [
      'billing-payments.test.mjs',
      'billing.test.mjs',
      'billing.vitest.test.mjs',
      'faults-and-waiting.test.mjs',
      'org.test.mjs',
      'org.vitest.test.mjs',
      'platform.test.mjs',
      'platform.vitest.test.mjs',
      'testing-api.test.mjs',
    ]);
    const directory = join(project, 'examples');
    mkdirSync(directory);
    for (const { name, code } of examples) writeFileSync(join(directory, name), code);
    // The client libraries the examples use, as the repository has them (its devDependencies);
    // their own dependencies resolve from the repository's node_modules through the link.
    for (const library of ['xendit-node', 'simple-oauth2']) symlinkSync(join(ROOT, 'node_modules', library), join(project, 'node_modules', library), 'dir');
    // vitest is no dependency of ours: the vitest examples run on node:test through the part of
    // its API they use. What they send to subledger and check of its answers runs unchanged.
    const vitest = join(project, 'node_modules', 'vitest');
    mkdirSync(vitest);
    writeFileSync(join(vitest, 'package.json'), JSON.stringify({ name: 'vitest', version: '0.0.0-stand-in', type: 'module', exports: './index.js' }));
    writeFileSync(
      join(vitest, 'index.js'),
      `import assert from 'node:assert/strict';
export { describe, test } from 'node:test';
export { before as beforeAll, after as afterAll } from 'node:test';
export const expect = (actual) => ({
  toBe: (expected) => assert.equal(actual, expected),
  toEqual: (expected) => assert.deepEqual(actual, expected),
  toMatch: (pattern) => assert.match(actual, pattern),
});
`,
    );
    // All in one process (a file's hooks and tests use its own module's `sl`): a process per
    // file, as `node --test` would start, costs a second of CPU each for loading the service.
    writeFileSync(join(directory, 'run-all.mjs'), 'for (const name of process.argv.slice(2)) await import(`./${name}`);\n');
    // Without the variable node:test sets in the processes it runs (this test's own): the
    // examples' runner reports to its stdout, as it would in the user's project.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const result = await run(process.execPath, ['--test-reporter=tap', join('examples', 'run-all.mjs'), ...examples.map(({ name }) => name)], project, env);
    succeeded(result, 'node examples/run-all.mjs');
    // Every test of every example ran and passed.
    const tests = examples.reduce((n, { code }) => n + (code.match(/^\s*(?:test|it)\(/gm)?.length ?? 0), 0);
    assert.match(result.stdout, new RegExp(`^# pass ${tests}$`, 'm'), result.stdout);
    assert.match(result.stdout, /^# fail 0$/m, result.stdout);
  });
});
