import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peak, type BuiltRequest, type RequestSpec } from './load.js';
import { ServerProcess, cpuSecondsOf, startCeiling, startSubledger } from './servers.js';
import { SURFACES } from './surfaces/index.js';

// The get and list targets' physical limit (issue 25), measured: `tsx bench/bare-get.ts` runs,
// in turn, the ceiling's hello, a bare fastify + better-sqlite3 app answering one billing
// account by its key, and the first page of 10 accounts, from the database our server made
// (bench/bare-get-server.mjs), and our own billing get and list, each at its peak for the same
// time with the bench's own requests (random ids of the same 500 accounts; `?limit=10`), three
// rounds, and prints each one's server CPU per request and its multiple of hello's. What the
// bare app costs is what a get or a list costs before any of our code.

const SECONDS = Number(process.env.BENCH_DURATION ?? 8);
const ROUNDS = 3;
const dir = mkdtempSync(join(tmpdir(), 'subledger-bare-get-'));
const file = join(dir, 'db.sqlite');
try {
  const ours = await startSubledger({ label: 'subledger', databaseUrl: `sqlite:${file}` });
  const billing = SURFACES.find((s) => s.name === 'billing')!;
  const operations = await billing.setup(ours);
  const get = operations.get!;
  const ceiling = await startCeiling();
  const bare = new ServerProcess('bare get', ['bench/bare-get-server.mjs'], { PORT: '0', BARE_DB: file, BARE_TENANT: ours.tenantId }, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
  const bareBase = await bare.base;
  // The bare route is the billing get's path without /billing: the same requests (headers too).
  const withoutPrefix = (request: BuiltRequest): BuiltRequest => ({ ...request, path: request.path.replace('/billing', '') });
  const bareGet: RequestSpec = { ...get, path: get.path.replace('/billing', ''), setupRequest: get.setupRequest && ((request) => withoutPrefix(get.setupRequest!(request))) };
  const hello: RequestSpec = { method: 'GET', path: '/', headers: {}, expectStatus: 200 };
  const list = operations.list!;
  const bareList: RequestSpec = { ...list, path: list.path.replace('/billing', '') };
  const runs: Record<string, number[]> = { hello: [], 'bare get': [], 'our get': [], 'bare list': [], 'our list': [] };
  const measure = async (name: string, base: string, pid: number, spec: RequestSpec) => {
    await peak({ base, spec, connections: 50, durationS: 1 });
    const before = cpuSecondsOf(pid)!;
    const result = await peak({ base, spec, connections: 50, durationS: SECONDS });
    if (result.errors > 0) throw new Error(`${name}: ${result.errors} errors`);
    runs[name]!.push(((cpuSecondsOf(pid)! - before) * 1e6) / result.requests);
  };
  for (let round = 0; round < ROUNDS; round++) {
    await measure('hello', ceiling.base, ceiling.process.pid, hello);
    await measure('bare get', bareBase, bare.pid, bareGet);
    await measure('our get', ours.base, ours.process.pid, get);
    await measure('bare list', bareBase, bare.pid, bareList);
    await measure('our list', ours.base, ours.process.pid, list);
  }
  await Promise.all([ours.process.stop(), ceiling.process.stop(), bare.stop()]);
  const best = (name: string) => Math.min(...runs[name]!);
  console.log(`server CPU per request, the lowest of ${ROUNDS} rounds of ${SECONDS} s (all rounds in µs):`);
  for (const name of Object.keys(runs)) {
    console.log(`  ${name.padEnd(10)} ${best(name).toFixed(1).padStart(6)} µs  ${(best(name) / best('hello')).toFixed(2)}× hello   [${runs[name]!.map((v) => v.toFixed(1)).join(', ')}]`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
