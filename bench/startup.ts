import type { StartupRecord } from './results.js';
import type { Bench } from './sections.js';
import { median, runProbe } from './probe.js';

// The `startup` section: how long `startSubledger()` (subledger/testing, SPEC §7) takes to
// start, in a fresh process on the built package code (bench/startup-probe.mjs).

const PROBE_TIMEOUT_MS = 300_000;

const round = (n: number) => Math.round(n * 10) / 10;

/** `starts` starts and stops one after another, each on its own fresh SQLite database. */
export async function measureStartup(bench: Bench): Promise<void> {
  const starts = bench.config.starts;
  bench.progress.begin(`startSubledger(): ${starts} starts and stops, one after another, each on a fresh SQLite database`);
  const probe = await runProbe<{ importMs: number; startMs: number[]; stopMs: number[] }>('startup-probe.mjs', [String(starts)], PROBE_TIMEOUT_MS);
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
