import type { TestDataRecord } from './results.js';
import type { Bench } from './sections.js';
import { median, runProbe } from './probe.js';

// The `testdata` section: the testing API's reset and restore (SPEC §7, issue 21) of a tenant's
// test mode holding 10^4 objects, on the built package code in a process of its own
// (bench/test-data-probe.mjs, on startSubledger()'s SQLite).

const OBJECTS = 10_000;
const ROUNDS = 5;
const PROBE_TIMEOUT_MS = 600_000;

const round = (n: number) => Math.round(n * 10) / 10;

export async function measureTestData(bench: Bench): Promise<void> {
  bench.progress.begin(`testing API: reset and restore of ${OBJECTS.toLocaleString('en-US')} test-mode customers, ${ROUNDS} rounds, SQLite`);
  const probe = await runProbe<{ objects: number; rows: number; snapshotMs: number; restoreMs: number[]; resetMs: number[] }>('test-data-probe.mjs', [String(OBJECTS), String(ROUNDS)], PROBE_TIMEOUT_MS);
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
