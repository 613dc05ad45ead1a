import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { TestDataRecord } from './results.js';
import type { Bench } from './sections.js';
import { ROOT } from './servers.js';

// The `testdata` section: the testing API's reset and restore (SPEC §7, issue 21) of a tenant's
// test mode holding 10^4 objects, on the built package code in a process of its own
// (bench/test-data-probe.mjs, on startSubledger()'s SQLite).

const OBJECTS = 10_000;
const ROUNDS = 5;
const PROBE_TIMEOUT_MS = 600_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (n: number) => Math.round(n * 10) / 10;

export async function measureTestData(bench: Bench): Promise<void> {
  bench.progress.begin(`testing API: reset and restore of ${OBJECTS.toLocaleString('en-US')} test-mode customers, ${ROUNDS} rounds, SQLite`);
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'test-data-probe.mjs'), String(OBJECTS), String(ROUNDS)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  if (code !== 0) throw new Error(`bench/test-data-probe.mjs exited (${code ?? signal})\n${stderr.slice(-2000)}`);
  const probe = JSON.parse(stdout) as { objects: number; rows: number; snapshotMs: number; restoreMs: number[]; resetMs: number[] };
  const record: TestDataRecord = {
    kind: 'testdata',
    objects: probe.objects,
    rows: probe.rows,
    rounds: ROUNDS,
    snapshotMs: round(probe.snapshotMs),
    restoreMedianMs: round(median(probe.restoreMs)),
    resetMedianMs: round(median(probe.resetMs)),
  };
  bench.results.push(record);
  bench.progress.note(`${record.rows} rows: snapshot ${record.snapshotMs} ms; restore median ${record.restoreMedianMs} ms; reset median ${record.resetMedianMs} ms`);
}
