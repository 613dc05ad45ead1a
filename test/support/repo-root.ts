import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const twoUp = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The repository's root, whether the tests run as sources (`npx tsx --test test/…`) or compiled
 * into `.test-build/` (`npm test`, scripts/build-tests.mjs): files the tests read or spawn
 * (dist/, README.md, the sources they scan, test-artifacts/) live in the repository, not there.
 */
export const REPO_ROOT = basename(twoUp) === '.test-build' ? `${dirname(twoUp)}/` : twoUp;
