// Run by the bench's `testdata` section (bench/test-data.ts) in a process of its own: a
// startSubledger() instance (built code) whose tenant gets OBJECTS test-mode customers with a
// balance (each: its row, a balance, a ledger entry, an event, an idempotency record), then a
// snapshot; then, ROUNDS times, a restore and a reset through /testing/v1, timed (ms), printed
// as one JSON line.
import { performance } from 'node:perf_hooks';

const objects = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 5);
const { startSubledger } = await import('../dist/testing/start.js');
const sl = await startSubledger();
const headers = { authorization: `Bearer ${sl.tenant.keys.test.secret}`, 'content-type': 'application/json' };
const post = async (path, body, extra = {}) => {
  const response = await fetch(`${sl.url}${path}`, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body) });
  if (response.status >= 300) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
};
const timed = async (work) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

let next = 0;
const seed = async () => {
  for (let i = next++; i < objects; i = next++) await post('/billing/customers', { external_reference: `BENCH-${i}`, currency: 'ZAR', balance: 100 }, { 'idempotency-key': `bench-${i}` });
};
const seededIn = await timed(() => Promise.all(Array.from({ length: 8 }, seed)));
let snapshot;
const snapshotMs = await timed(async () => {
  snapshot = await post('/testing/v1/snapshots', { name: 'bench' });
});
const restoreMs = [];
const resetMs = [];
let deleted = 0;
for (let round = 0; round < rounds; round++) {
  restoreMs.push(await timed(() => post(`/testing/v1/snapshots/${snapshot.id}/restore`, {})));
  resetMs.push(await timed(async () => {
    const answer = await post('/testing/v1/reset', {});
    deleted = Object.values(answer.deleted).reduce((sum, n) => sum + n, 0);
  }));
}
await sl.stop();
process.stdout.write(`${JSON.stringify({ objects, rows: deleted, seededMs: seededIn, snapshotMs, restoreMs, resetMs })}\n`);
