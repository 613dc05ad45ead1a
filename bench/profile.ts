import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { peak } from './load.js';
import { withOneOperation } from './one-operation.js';
import { cpuSecondsOf, cpuUsPerRequestOf } from './servers.js';

// Where one operation's server CPU goes: `tsx bench/profile.ts <surface> <operation> [seconds]`
// runs the server under `node --cpu-prof` on a fresh SQLite database, loads it with the bench's
// own request for that operation (50 connections) and prints self time per request, grouped by
// where it runs (our files, each package, node internals, GC, native). Not part of `npm run bench`.

const [surfaceName = 'billing', operation = 'create', seconds = '6'] = process.argv.slice(2);
const PROFILE_DIR = mkdtempSync(join(tmpdir(), 'subledger-cpu-profile-'));
await withOneOperation(
  { surfaceName, operation, label: 'profile', nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, '--cpu-prof-interval=100'] },
  async ({ server, spec }) => {
    await peak({ base: server.base, spec, connections: 50, durationS: 1 });
    const cpuBefore = cpuSecondsOf(server.process.pid);
    const result = await peak({ base: server.base, spec, connections: 50, durationS: Number(seconds) });
    const cpuUs = cpuUsPerRequestOf(cpuBefore, cpuSecondsOf(server.process.pid), result.requests);
    console.log(`${surfaceName} ${operation}: ${Math.round(result.rps)} req/s, ${result.errors} errors, server CPU ${cpuUs === null ? '–' : Math.round(cpuUs)} µs/req (/proc)`);
    const stopping = performance.now();
    await server.process.stop();
    // Only the measured run's samples: those of its last `seconds` before the server was told to stop.
    const windowUs = (Number(seconds) + (performance.now() - stopping) / 1000) * 1e6;
    const file = readdirSync(PROFILE_DIR).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no profile written');
    printProfile(JSON.parse(readFileSync(join(PROFILE_DIR, file), 'utf8')), result.requests, windowUs);
  },
).finally(() => rmSync(PROFILE_DIR, { recursive: true, force: true }));

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
function printProfile(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }, requests: number, windowUs: number): void {
  // The profile covers the whole process life: start-up, setup and warm-up are left out by time.
  const self = new Map<number, number>();
  let at = profile.startTime;
  const from = profile.endTime - windowUs;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= from) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byGroup = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (!us) continue;
    const { url, functionName, lineNumber } = node.callFrame;
    const group = groupOf(url, functionName);
    byGroup.set(group, (byGroup.get(group) ?? 0) + us);
    const name = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const per = (us: number) => (us / requests).toFixed(1);
  const total = [...byGroup.entries()].filter(([g]) => g !== '(idle)').reduce((s, [, v]) => s + v, 0);
  console.log(`profiled busy time: ${per(total)} µs/req`);
  for (const [group, us] of [...byGroup.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${per(us).padStart(7)}  ${group}`);
  // Inclusive time of our own functions (a function's self time and its callees'), counted once
  // per stack even when it recurses: which of our steps the request's time is spent under.
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const inclusive = new Map<string, number>();
  const walk = (id: number, onStack: Set<string>): number => {
    const node = byId.get(id)!;
    const { url, functionName, lineNumber } = node.callFrame;
    const key = url.includes('/dist/') ? `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}` : '';
    const fresh = key !== '' && !onStack.has(key);
    if (fresh) onStack.add(key);
    let total = self.get(id) ?? 0;
    for (const child of node.children ?? []) total += walk(child, onStack);
    if (fresh) {
      onStack.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + total);
    }
    return total;
  };
  walk(profile.nodes[0]!.id, new Set());
  console.log('our functions, inclusive:');
  for (const [name, us] of [...inclusive.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${per(us).padStart(7)}  ${name}`);
  console.log('top functions (self):');
  for (const [name, us] of [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`  ${per(us).padStart(7)}  ${name}`);
}

function shortUrl(url: string): string {
  const at = url.indexOf('/node_modules/');
  if (at >= 0) return url.slice(at + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 1) : basename(url);
}

function groupOf(url: string, functionName: string): string {
  if (!url) return functionName === '(idle)' ? '(idle)' : functionName.startsWith('(') ? functionName : `native ${functionName}`;
  if (url.startsWith('node:')) return `node ${url.slice(5).split('/')[0]}`;
  const at = url.indexOf('/node_modules/');
  if (at >= 0) {
    const rest = url.slice(at + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 1).split('/').slice(0, 3).join('/') : url;
}
