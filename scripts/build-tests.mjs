// `npm test`'s pretest: compiles the tests and the sources they import into .test-build/, so
// that `node --test` runs plain JavaScript. Through tsx, every test process spent about 2.5 s
// of CPU more (its loader thread resolves and transforms each import of the service), which
// across the suite's processes was minutes of CI time.
//
// The tree keeps the repository's layout one level down (.test-build/src, .test-build/test), so
// every relative import and `import.meta.url` path between them still holds. What the sources
// read beside themselves (package.json, dist/console) and the OpenAPI tool's own dependencies
// are links to the repository's; the tests find the repository itself through
// test/support/repo-root.ts. Emptied first: a deleted test must not keep running from here.
//
// Plain JavaScript, no dependency: it must run before anything is built.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, '.test-build');
const LINKS = ['package.json', 'dist', 'tools/openapi-client/node_modules'];

rmSync(OUT, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.test.json')], { cwd: ROOT, stdio: 'inherit' });
if (tsc.error) throw tsc.error;
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
for (const path of LINKS) {
  const link = join(OUT, path);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(relative(dirname(link), join(ROOT, path)), link);
}
