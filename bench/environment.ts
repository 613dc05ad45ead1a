import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { pgbenchVersion } from './pgbench.js';
import { ROOT } from './servers.js';
import { postgresVersion } from './stores.js';

const run = promisify(execFile);

function packageVersion(name: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** HEAD's commit, with `+dirty` when tracked files differ from it (read-only: no index refresh). */
async function gitCommit(): Promise<string | null> {
  try {
    const { stdout: head } = await run('git', ['rev-parse', 'HEAD'], { cwd: ROOT });
    const { stdout: status } = await run('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no'], { cwd: ROOT });
    return `${head.trim()}${status.trim() ? '+dirty' : ''}`;
  } catch {
    return null;
  }
}

export function machine() {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    model: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    loadavgAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
    loadavgAtEnd: [] as number[],
  };
}

export async function versions(postgresUrl: string | null): Promise<{ versions: Record<string, string | null>; commit: string | null }> {
  const memory = new Database(':memory:');
  const sqlite = (memory.prepare('select sqlite_version() as v').get() as { v: string }).v;
  memory.close();
  return {
    versions: {
      node: process.version,
      subledger: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
      fastify: packageVersion('fastify'),
      'better-sqlite3': packageVersion('better-sqlite3'),
      sqlite,
      pg: packageVersion('pg'),
      kysely: packageVersion('kysely'),
      autocannon: packageVersion('autocannon'),
      postgres: postgresUrl ? await postgresVersion(postgresUrl) : null,
      pgbench: await pgbenchVersion(),
    },
    commit: await gitCommit(),
  };
}
