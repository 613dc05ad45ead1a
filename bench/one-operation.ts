import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestSpec } from './load.js';
import { serverEnvironmentOf, startSubledger, type SubledgerServer } from './servers.js';
import { analyzePostgres, benchPgUrl, scratchPostgres, type ScratchStore } from './stores.js';
import { SURFACES } from './surfaces/index.js';
import type { OperationName } from './surfaces/surface.js';

/** The server one measuring tool loads, its scratch directory and database file, and the request it sends. */
export interface OneOperation {
  server: SubledgerServer;
  /** The scratch directory (the database, and whatever the tool writes beside it). */
  dir: string;
  /** The SQLite database file (on PostgreSQL: none, a path nothing is at). */
  file: string;
  spec: RequestSpec;
}

/**
 * For the tools that measure one operation (cpu-split, paced-one, profile): a fresh SQLite
 * server (started with `nodeArgs`) after the surface's setup, and the bench's own request for
 * `operation` (`healthz` too); `use` runs with them, then the server is stopped and its
 * scratch directory removed. BENCH_STORE=postgres: a scratch PostgreSQL database at BENCH_PG_URL
 * instead (analyzed after the setup, as the bench's http section does), dropped at the end.
 * BENCH_SERVER_ENV: extra variables for the server, as for `npm run bench`.
 */
export async function withOneOperation<T>(
  options: { surfaceName: string; operation: string; label: string; nodeArgs?: string[] },
  use: (measured: OneOperation) => Promise<T>,
): Promise<T> {
  const surface = SURFACES.find((s) => s.name === options.surfaceName);
  if (!surface) throw new Error(`no surface ${options.surfaceName}`);
  const dir = mkdtempSync(join(tmpdir(), `subledger-${options.label}-`));
  const file = join(dir, 'db.sqlite');
  const postgres: ScratchStore | undefined =
    process.env.BENCH_STORE === 'postgres' ? await scratchPostgres(benchPgUrl(), options.label) : undefined;
  const server = await startSubledger({
    label: options.label,
    databaseUrl: postgres?.url ?? `sqlite:${file}`,
    nodeArgs: options.nodeArgs ?? [],
    env: serverEnvironmentOf(process.env.BENCH_SERVER_ENV),
  });
  try {
    const operations = await surface.setup(server);
    if (postgres) await analyzePostgres(postgres);
    const spec = options.operation === 'healthz' ? { method: 'GET' as const, path: '/healthz', headers: {}, expectStatus: 200 } : operations[options.operation as OperationName];
    if (!spec) throw new Error(`${options.surfaceName} has no ${options.operation}`);
    return await use({ server, dir, file, spec });
  } finally {
    await server.process.stop();
    await postgres?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
