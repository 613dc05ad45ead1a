// Run by the bench's `startup` section (bench/startup.ts) in a process of its own, so that the
// import is measured cold: imports the built `subledger/testing` (dist/testing/start.js, what
// the package ships), then starts and stops `startSubledger()` STARTS times, one after another,
// and prints the timings (ms) as one JSON line.
import { performance } from 'node:perf_hooks';

const starts = Number(process.argv[2] ?? 20);
const importStarted = performance.now();
const { startSubledger } = await import('../dist/testing/start.js');
const importMs = performance.now() - importStarted;

const startMs = [];
const stopMs = [];
for (let i = 0; i < starts; i++) {
  const started = performance.now();
  const subledger = await startSubledger();
  startMs.push(performance.now() - started);
  // Ready means answering: one authenticated request before the clock stops would measure the
  // server, not start-up, so it is made after and only checked.
  const answer = await fetch(`${subledger.url}/billing/customers`, { headers: { authorization: `Bearer ${subledger.tenant.keys.test.secret}` } });
  if (answer.status !== 200) throw new Error(`start ${i + 1}: GET /billing/customers answered ${answer.status}: ${await answer.text()}`);
  const stopping = performance.now();
  await subledger.stop();
  stopMs.push(performance.now() - stopping);
}
process.stdout.write(`${JSON.stringify({ importMs, startMs, stopMs })}\n`);
