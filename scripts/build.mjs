// `npm run build`, and `npm start` / `npm run subledger` through `--if-stale`: compiles src/ into
// dist/ and bundles the console into dist/console, then stamps dist/ with a fingerprint of every
// input read. `--if-stale` builds only when that fingerprint changed, so the CLI starts in a
// fraction of a second on an unchanged checkout. `--clean` (prepack) empties dist/ first, so a
// package never carries the output of a source file that no longer exists.
//
// Plain JavaScript, no dependency: it must run before anything is built.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
/** What the build reads: the service's and the console's sources, and the files that configure either. */
const INPUTS = ['src', 'console', 'tsconfig.json', 'package.json', 'package-lock.json'];
/** What a complete build leaves; a stamp without them (a build interrupted after tsc, say) is not trusted. */
const OUTPUTS = [join(DIST, 'cli', 'main.js'), join(DIST, 'console', 'index.html')];

const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((arg) => !['--if-stale', '--clean'].includes(arg));
if (unknown.length > 0) fail(`unknown option ${unknown.join(' ')} (options: --if-stale, --clean)`);

/**
 * Path, size and modification time of every input file, hashed: an edit, a new file, a deleted
 * or renamed one, or a file restored with an older time (git checkout, cp -p) all change it.
 */
function fingerprint() {
  const hash = createHash('sha256');
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (name !== 'node_modules') visit(join(path, name));
      }
    } else {
      hash.update(`${relative(ROOT, path)}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  };
  for (const input of INPUTS) visit(join(ROOT, input));
  return hash.digest('hex');
}

function isFresh(current) {
  try {
    return readFileSync(STAMP, 'utf8').trim() === current && OUTPUTS.every((output) => existsSync(output));
  } catch {
    return false;
  }
}

function run(command, commandArgs) {
  // npm's `.bin` shims are .cmd files on Windows, which only a shell runs.
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) fail(`${command}: ${result.error.message}`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function fail(message) {
  process.stderr.write(`build: ${message}\n`);
  process.exit(1);
}

// Taken before building: a file edited while the build runs leaves the next call stale.
const current = fingerprint();
if (args.has('--if-stale') && !args.has('--clean') && isFresh(current)) process.exit(0);

if (args.has('--clean')) rmSync(DIST, { recursive: true, force: true });
else rmSync(STAMP, { force: true });
const bin = join(ROOT, 'node_modules', '.bin');
run(join(bin, 'tsc'), ['-p', 'tsconfig.json']);
run(join(bin, 'vite'), ['build', '--config', 'console/vite.config.ts', '--logLevel', 'warn']);
// The package's `bin` (tsc writes files without the execute bit; npm also sets it when it links a bin).
chmodSync(join(DIST, 'cli', 'main.js'), 0o755);
writeFileSync(STAMP, `${current}\n`);
