import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-root.js';

// The `subledger` command as a user runs it: the built `dist/cli/main.js` (what `npm start`
// runs), not the sources through tsx. Each spawned process then loads plain JavaScript, about
// a second of CPU less per process than compiling the sources again, and the tests spawn dozens.
// `npm test` builds first (its `pretest`); a stale build would test old code, so it is refused.

export const ROOT = REPO_ROOT;
const BUILT_MAIN = join(ROOT, 'dist', 'cli', 'main.js');

function newestModification(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let checked = false;

/** `[node, dist/cli/main.js]`, once the build is known to be at least as new as every source file. */
export function builtCli(): [string, string] {
  if (!checked) {
    let builtAt: number;
    try {
      builtAt = statSync(BUILT_MAIN).mtimeMs;
    } catch {
      throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test builds before it runs)');
    }
    if (newestModification(join(ROOT, 'src')) > builtAt) {
      throw new Error('dist/ is older than src/: run `npm run build` (npm test builds before it runs)');
    }
    checked = true;
  }
  return [process.execPath, BUILT_MAIN];
}
