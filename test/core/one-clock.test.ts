import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/repo-root.js';

// One clock per command (issue 20): every timestamp a command writes comes from `ctx.now`, read
// once by whoever starts the command. Domain code (the kernel, tenancy, every vendor's domain/)
// never reads the wall clock itself; src/ledger/clock.ts is the one place that does, and the id
// generator, whose ids only grow within a process, asks it for the millisecond of an id made
// without an explicit time.

const ROOT = REPO_ROOT;
const ALLOWED = new Set(['src/ledger/clock.ts', 'src/ledger/ids.ts']);
const CLOCK_READ = /\bDate\.now\s*\(|\bnew Date\s*\(\s*\)|\bnowIso\s*\(|\bnowMs\s*\(|\bperformance\.now\s*\(/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

function domainFiles(): string[] {
  const surfaces = join(ROOT, 'src/surfaces');
  const vendorDomains = readdirSync(surfaces, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(surfaces, entry.name, 'domain'))
    .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory());
  return [join(ROOT, 'src/ledger'), join(ROOT, 'src/tenancy'), ...vendorDomains].flatMap(filesUnder);
}

test('domain code takes its time from ctx.now: no clock read outside src/ledger/clock.ts (and the id generator)', () => {
  const files = domainFiles();
  assert.ok(files.some((f) => f.endsWith('src/surfaces/billing/domain/accounts.ts')), 'the vendor domains are scanned');
  const reads = files
    .filter((file) => !ALLOWED.has(relative(ROOT, file)))
    .flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (CLOCK_READ.test(line) && !line.trim().startsWith('//') && !line.trim().startsWith('*') ? [`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
  assert.deepEqual(reads, [], 'clock reads in domain code');
});

test('the rule catches a clock read (the pattern is not vacuous)', () => {
  for (const line of ['const t = Date.now();', 'updatedAt: new Date().toISOString()', 'at: nowIso(),']) assert.match(line, CLOCK_READ);
  assert.doesNotMatch('expiresAt: plusMs(ctx.now, ttl)', CLOCK_READ);
});
