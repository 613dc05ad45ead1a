import { statSync } from 'node:fs';
import { paced, peak } from './load.js';
import { withOneOperation } from './one-operation.js';
import { cpuSecondsOf, cpuUsPerRequestOf } from './servers.js';

// One operation's latency at a fixed rate, and how long its WAL grows, without the whole bench:
// `tsx bench/paced-one.ts <surface> <operation> <rate> [rounds]` starts a fresh SQLite server,
// runs the surface's setup and 2 s at the peak (as the bench's http section does before its
// half-rate run), then `rounds` (3) paced runs of 8 s at `rate` requests a second over 50
// connections, each printing p99 from issue and from the socket write, the generator's lag, and
// the largest WAL file seen (sampled every 200 ms) and the server's CPU per request. `rate` may be `half`: half of what that 2 s
// peak reached, as the bench's half-rate run takes. Not part of `npm run bench`.

const [surfaceName = 'billing', operation = 'balance', rateText = '2300', roundsText = '3'] = process.argv.slice(2);
await withOneOperation({ surfaceName, operation, label: 'paced' }, async ({ server, file, spec }) => {
  const reached = await peak({ base: server.base, spec, connections: 50, durationS: 2 });
  const rate = rateText === 'half' ? Math.round(reached.rps / 2) : Number(rateText);
  for (let round = 1; round <= Number(roundsText); round++) {
    let walMb = 0;
    const sampler = setInterval(() => {
      try {
        walMb = Math.max(walMb, statSync(`${file}-wal`).size / 1e6);
      } catch {
        // no WAL file at this instant
      }
    }, 200);
    const cpuBefore = cpuSecondsOf(server.process.pid);
    const result = await paced({ base: server.base, spec, connections: 50, durationS: 8, rate });
    const cpuUs = cpuUsPerRequestOf(cpuBefore, cpuSecondsOf(server.process.pid), result.requests);
    clearInterval(sampler);
    console.log(
      `${surfaceName} ${operation} at ${rate}/s: p99 ${result.p99} ms (from the socket write ${result.service?.p99} ms, generator lag p99 ${result.generatorLag?.p99} ms), max ${result.max} ms, ${result.errors} errors, WAL up to ${walMb.toFixed(1)} MB, server CPU ${cpuUs === null ? '–' : Math.round(cpuUs)} µs/request`,
    );
  }
});
