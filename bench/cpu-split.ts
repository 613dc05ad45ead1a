import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { peak, type RequestSpec } from './load.js';
import { withOneOperation } from './one-operation.js';
import { startCeiling } from './servers.js';

// Where one operation's server CPU goes between user and kernel time, and between the event
// loop's thread and the others (V8's collector, the WAL checkpointer): `tsx bench/cpu-split.ts
// <surface> <operation> [seconds]` loads a fresh SQLite server with the bench's own request (50
// connections) for `BENCH_ROUNDS` rounds (3) and prints each round's µs per request, beside
// hello's unless BENCH_NO_HELLO=1. BENCH_PERF=1 also records the last round with `perf record -g`
// into /tmp/subledger.perf.data, the server started with --perf-basic-prof so that perf names
// our JavaScript functions (`perf report -i /tmp/subledger.perf.data --children --sort sym`).
// Not part of `npm run bench`.

const [surfaceName = 'billing', operation = 'get', seconds = '5'] = process.argv.slice(2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PERF = process.env.BENCH_PERF === '1';
const TICK_US = 1e6 / 100; // /proc counts CPU in ticks of 10 ms

interface Split {
  user: number;
  system: number;
  mainThread: number;
  otherThreads: number;
}

function ticksOf(stat: string): { user: number; system: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

function splitOf(pid: number): Split {
  const whole = ticksOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  let mainThread = 0;
  let otherThreads = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const { user, system } = ticksOf(stat);
    if (Number(tid) === pid) mainThread += user + system;
    else otherThreads += user + system;
  }
  return { user: whole.user, system: whole.system, mainThread, otherThreads };
}

async function measure(label: string, pid: number, base: string, spec: RequestSpec, record: boolean): Promise<void> {
  await peak({ base, spec, connections: 50, durationS: 1 });
  const rounds: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const before = splitOf(pid);
    const perf = record && round === ROUNDS ? spawn('perf', ['record', '-F', '2999', '-g', '-p', String(pid), '-o', '/tmp/subledger.perf.data', '--', 'sleep', String(Math.max(1, Number(seconds) - 1))], { stdio: 'ignore' }) : undefined;
    const result = await peak({ base, spec, connections: 50, durationS: Number(seconds) });
    const after = splitOf(pid);
    if (perf) await new Promise((resolve) => perf.on('exit', resolve));
    const per = (key: keyof Split) => (((after[key] - before[key]) * TICK_US) / result.requests).toFixed(1);
    const total = (((after.user + after.system - before.user - before.system) * TICK_US) / result.requests).toFixed(1);
    rounds.push(`${Math.round(result.rps)} req/s  ${total} µs/req = user ${per('user')} + system ${per('system')}; event loop ${per('mainThread')}, other threads ${per('otherThreads')}${result.errors ? `  (${result.errors} errors)` : ''}`);
  }
  console.log(`${label}:`);
  for (const line of rounds) console.log(`  ${line}`);
}

if (process.env.BENCH_NO_HELLO !== '1') {
  const hello = await startCeiling();
  try {
    await measure('hello', hello.process.pid, hello.base, { method: 'GET', path: '/', headers: {}, expectStatus: 200 }, false);
  } finally {
    await hello.process.stop();
  }
}
await withOneOperation({ surfaceName, operation, label: 'cpu-split', nodeArgs: PERF ? ['--perf-basic-prof'] : [] }, ({ server, spec }) =>
  measure(`${surfaceName} ${operation}`, server.process.pid, server.base, spec, PERF),
);
