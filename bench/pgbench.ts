import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { ROOT } from './servers.js';

const run = promisify(execFile);

export interface PgbenchResult {
  script: string;
  clients: number;
  durationS: number;
  transactions: number;
  failed: number;
  tps: number;
  latencyAvgMs: number | null;
}

/** pgbench's binary: BENCH_PGBENCH, else /usr/bin/pgbench, else whatever PATH has. */
export function pgbenchPath(): string {
  if (process.env.BENCH_PGBENCH) return process.env.BENCH_PGBENCH;
  return existsSync('/usr/bin/pgbench') ? '/usr/bin/pgbench' : 'pgbench';
}

export async function pgbenchVersion(): Promise<string | null> {
  try {
    const { stdout } = await run(pgbenchPath(), ['--version']);
    return stdout.trim();
  } catch {
    return null;
  }
}

/**
 * `pgbench -n -M prepared -c <clients> -j 2 -T <s>` with a custom script against `databaseUrl`.
 * @throws when pgbench fails or any transaction failed (the script must match the schema)
 */
export async function pgbench(options: {
  databaseUrl: string;
  script: string;
  variables: Record<string, string>;
  clients: number;
  durationS: number;
}): Promise<PgbenchResult> {
  const args = ['-n', '-M', 'prepared', '-c', String(options.clients), '-j', '2', '-T', String(options.durationS)];
  for (const [name, value] of Object.entries(options.variables)) args.push('-D', `${name}=${value}`);
  args.push('-f', options.script, options.databaseUrl);
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await run(pgbenchPath(), args, { cwd: ROOT, timeout: (options.durationS + 60) * 1000, maxBuffer: 16 << 20 }));
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`pgbench failed (${options.script}): ${failure.message}\n${failure.stderr ?? ''}${failure.stdout ?? ''}`);
  }
  const number = (pattern: RegExp) => {
    const match = pattern.exec(stdout);
    return match ? Number(match[1]) : null;
  };
  const tps = number(/tps = ([\d.]+) \(without initial connection time\)/);
  const transactions = number(/number of transactions actually processed: (\d+)/);
  const failed = number(/number of failed transactions: (\d+)/) ?? 0;
  if (tps === null || transactions === null) throw new Error(`pgbench printed no tps (${options.script}):\n${stdout}\n${stderr}`);
  if (failed > 0 || /error/i.test(stderr)) throw new Error(`pgbench: ${failed} failed transactions (${options.script}):\n${stderr.slice(0, 2000)}`);
  return {
    script: options.script,
    clients: options.clients,
    durationS: options.durationS,
    transactions,
    failed,
    tps: Math.round(tps),
    latencyAvgMs: number(/latency average = ([\d.]+) ms/),
  };
}
