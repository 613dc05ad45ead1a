import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { StartupRecord } from './results.js';
import type { Bench } from './sections.js';
import { ROOT } from './servers.js';

// The `startup` section: how long `startSubledger()` (subledger/testing, SPEC §7) takes to
// start, in a fresh process on the built package code (bench/startup-probe.mjs).

const PROBE_TIMEOUT_MS = 300_000;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const round = (n: number) => Math.round(n * 10) / 10;

/** `starts` starts and stops one after another, each on its own fresh SQLite database. */
export async function measureStartup(bench: Bench): Promise<void> {
  const starts = bench.config.starts;
  bench.progress.begin(`startSubledger(): ${starts} starts and stops, one after another, each on a fresh SQLite database`);
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'startup-probe.mjs'), String(starts)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  if (code !== 0) throw new Error(`bench/startup-probe.mjs exited (${code ?? signal})\n${stderr.slice(-2000)}`);
  const probe = JSON.parse(stdout) as { importMs: number; startMs: number[]; stopMs: number[] };
  const record: StartupRecord = {
    kind: 'startup',
    starts,
    importMs: round(probe.importMs),
    firstMs: round(probe.startMs[0]!),
    medianMs: round(median(probe.startMs)),
    maxMs: round(Math.max(...probe.startMs)),
    stopMedianMs: round(median(probe.stopMs)),
  };
  bench.results.push(record);
  bench.progress.note(
    `start: median ${record.medianMs} ms, first ${record.firstMs} ms, slowest ${record.maxMs} ms (after importing subledger/testing in ${record.importMs} ms); stop: median ${record.stopMedianMs} ms`,
  );
}
