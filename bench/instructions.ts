import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestSpec } from './load.js';
import { ROOT, startSubledger } from './servers.js';
import { SURFACES } from './surfaces/index.js';
import type { OperationName } from './surfaces/surface.js';

// Instructions per request, counted by valgrind (callgrind), not timed: the same code, requests
// and database give the same count whatever else the machine is doing, so a change of a few
// percent shows, where server CPU per request moves by ±30% from run to run on this machine.
// `tsx bench/instructions.ts <surface> <operation> [requests]`: a fresh SQLite server made by a
// normal start (its schema and the surface's setup), then the same server started again under
// callgrind; `requests` requests warm it up, the counters are zeroed, `requests` more are
// counted (10 connections, fetch). Prints the instructions per request of the whole process (every
// thread, kernel work excluded: callgrind counts user-space instructions only), and of hello
// (bench/ceiling-server.mjs) the same way, for the multiple.

/** callgrind_control finds the process by pipes named after USER (and HOST): without them it cannot. */
const VGDB_ENV = { USER: process.env.USER || 'bench', LOGNAME: process.env.LOGNAME || process.env.USER || 'bench' };

const [surfaceName = 'billing', operation = 'get', count = '2000'] = process.argv.slice(2);
const requests = Number(count);
const surface = SURFACES.find((s) => s.name === surfaceName);
if (!surface) throw new Error(`no surface ${surfaceName}`);
const dir = mkdtempSync(join(tmpdir(), 'subledger-instructions-'));
const databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;
try {
  const plain = await startSubledger({ label: 'setup', databaseUrl });
  const spec = (await surface.setup(plain))[operation as OperationName];
  if (!spec) throw new Error(`${surfaceName} has no ${operation}`);
  await plain.process.stop();

  const ours = await counted('subledger', ['dist/cli/main.js', 'serve'], { DATABASE_URL: databaseUrl, HOST: '127.0.0.1', LOG_LEVEL: 'warn', SUBLEDGER_RATE_LIMIT: '0' }, /API docs: (http:\/\/127\.0\.0\.1:\d+)\/docs/, spec);
  // BENCH_NO_HELLO=1: ours alone (comparing two builds of ours).
  const hello = process.env.BENCH_NO_HELLO === '1' ? null : await counted('hello', ['bench/ceiling-server.mjs'], {}, /listening on (http:\/\/127\.0\.0\.1:\d+)/, { method: 'GET', path: '/', headers: {}, expectStatus: 200 });
  const multiple = hello === null ? '' : `; hello ${Math.round(hello).toLocaleString('en-US')}; ${(ours / hello).toFixed(2)}× hello`;
  console.log(`${surfaceName} ${operation}: ${Math.round(ours).toLocaleString('en-US')} instructions per request${multiple} (user space only, every thread; ${requests} requests counted after ${requests} to warm up)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Starts `args` under callgrind, warms it up, counts `requests` requests; answers instructions per request. */
async function counted(label: string, args: string[], env: Record<string, string>, ready: RegExp, spec: RequestSpec): Promise<number> {
  const out = join(dir, `${label}.callgrind`);
  const child = spawn('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}.%p`, process.execPath, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...VGDB_ENV, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start under callgrind within 10 minutes\n${output.slice(-2000)}`)), 600_000);
    const scan = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', scan);
    child.stderr.on('data', scan);
    child.once('exit', (code) => reject(new Error(`${label} exited (${code}) under callgrind\n${output.slice(-2000)}`)));
  });
  // 10 connections, each sending its next request when its answer has arrived.
  const send = async () => {
    let next = 0;
    const worker = async () => {
      for (let n = next++; n < requests; n = next++) {
        const built = spec.setupRequest ? spec.setupRequest({ method: spec.method, path: spec.path, headers: { ...spec.headers }, body: spec.body }) : spec;
        const response = await fetch(base + built.path, { method: built.method, headers: built.headers, body: built.body });
        await response.arrayBuffer();
        if (response.status !== spec.expectStatus) throw new Error(`${label}: ${built.method} ${built.path} answered ${response.status}`);
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
  };
  await send();
  // vgdb names its pipes after USER and HOST (which our server also reads as its address): the same for both.
  const controlEnv: NodeJS.ProcessEnv = { ...process.env, ...VGDB_ENV };
  if (env.HOST) controlEnv.HOST = env.HOST;
  else delete controlEnv.HOST;
  execFileSync('callgrind_control', ['--zero', String(child.pid)], { env: controlEnv });
  await send();
  execFileSync('callgrind_control', ['--dump', String(child.pid)], { env: controlEnv });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.startsWith(`${label}.callgrind.`))) {
    const text = readFileSync(join(dir, file), 'utf8');
    // The dump --dump made after --zero holds the counted requests' instructions (`summary: <Ir>`).
    if (!/^desc: Trigger: .*dump/im.test(text)) continue;
    total += Number(/^summary: (\d+)/m.exec(text)?.[1] ?? 0);
  }
  if (total === 0) throw new Error(`${label}: no callgrind dump was found`);
  return total / requests;
}
