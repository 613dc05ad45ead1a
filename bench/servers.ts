import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SERVICE_VARIABLES } from '../src/config.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;


/** Every child this process started and has not seen exit: killed on any way out. */
const children = new Set<ChildProcess>();

export function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

/** The process and its descendants (a `serve --processes N` primary and its workers), from /proc (Linux). */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${tree[i]}/task`)) {
        const children = readFileSync(`/proc/${tree[i]}/task/${task}/children`, 'utf8').trim();
        if (children) tree.push(...children.split(' ').map(Number));
      }
    } catch {
      // The process exited meanwhile: it has no children to count.
    }
  }
  return tree;
}

/**
 * Resident set size and its peak, in MiB, from /proc/<pid>/status (Linux), summed over the
 * process and its descendants (each worker of a cluster has its own heap).
 */
export function memoryOf(pid: number): { rssMiB: number; peakRssMiB: number } | null {
  let rss = 0;
  let peak = 0;
  for (const member of processTree(pid)) {
    try {
      const status = readFileSync(`/proc/${member}/status`, 'utf8');
      const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
      rss += kib('VmRSS');
      peak += kib('VmHWM');
    } catch {
      if (member === pid) return null;
    }
  }
  return { rssMiB: Math.round(rss / 102.4) / 10, peakRssMiB: Math.round(peak / 102.4) / 10 };
}

/**
 * CPU seconds (user + system) the process and its living descendants have used so far, from
 * /proc/<pid>/stat (Linux, 100 Hz ticks).
 */
export function cpuSecondsOf(pid: number): number | null {
  let seconds = 0;
  for (const member of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${member}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are the 14th and 15th fields of the whole line (11th and 12th after the command).
      seconds += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      if (member === pid) return null;
    }
  }
  return seconds;
}

/**
 * Server CPU µs per request between two cpuSecondsOf readings, to 0.1 µs (hello's is ~10–50 µs and
 * the targets are multiples of it); null when either reading failed or nothing was answered.
 */
export function cpuUsPerRequestOf(before: number | null, after: number | null, requests: number): number | null {
  if (before === null || after === null || requests === 0) return null;
  return Math.round(((after - before) * 1e7) / requests) / 10;
}

/** A child process whose stdout is scanned line by line (the last lines are kept for errors). */
export class ServerProcess {
  readonly child: ChildProcess;
  readonly base: Promise<string>;
  output = '';
  /** Log lines at warn (40) or above, seen while the server ran. */
  warnings = 0;
  errors = 0;
  private exited = false;

  constructor(
    readonly label: string,
    args: string[],
    env: Record<string, string>,
    readyPattern: RegExp,
  ) {
    const inherited: NodeJS.ProcessEnv = { ...process.env };
    for (const name of SERVICE_VARIABLES) delete inherited[name];
    for (const name of Object.keys(inherited)) if (name.startsWith('BENCH_')) delete inherited[name];
    this.child = spawn(process.execPath, args, { cwd: ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(this.child);
    this.base = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${label} did not print its address within ${START_TIMEOUT_MS / 1000} s\n${this.tail()}`));
      }, START_TIMEOUT_MS);
      const scan = (chunk: string) => {
        this.output = (this.output + chunk).slice(-64_000);
        for (const line of chunk.split('\n')) {
          if (/"level":(40)/.test(line)) this.warnings++;
          if (/"level":(50|60)/.test(line)) this.errors++;
        }
        const match = readyPattern.exec(this.output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      this.child.stdout!.setEncoding('utf8').on('data', scan);
      this.child.stderr!.setEncoding('utf8').on('data', scan);
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        children.delete(this.child);
        clearTimeout(timer);
        reject(new Error(`${label} exited (${code ?? signal}) before it listened\n${this.tail()}`));
      });
      this.child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`${label} could not be started: ${error.message}`));
      });
    });
    // The promise is awaited by the caller; this keeps an early failure from being unhandled meanwhile.
    this.base.catch(() => {});
  }

  get pid(): number {
    return this.child.pid!;
  }

  memory() {
    return memoryOf(this.pid);
  }

  tail(lines = 30): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  /** SIGTERM (graceful), SIGKILL if it has not exited within 15 s. */
  async stop(): Promise<void> {
    if (this.exited || this.child.exitCode !== null) return;
    const exit = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exit;
    clearTimeout(timer);
    children.delete(this.child);
  }
}

/** BENCH_SERVER_ENV="NAME=value,NAME=value": extra variables for every subledger server. */
export function serverEnvironmentOf(raw: string | undefined): Record<string, string> {
  if (!raw?.trim()) return {};
  return Object.fromEntries(
    raw.trim().split(',').map((pair) => {
      const match = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(pair);
      if (!match) throw new Error(`BENCH_SERVER_ENV=${JSON.stringify(raw)}: must be NAME=value pairs separated by commas`);
      return [match[1]!, match[2]!.trim()];
    }),
  );
}

/** Extra variables for every subledger server of the run (BENCH_SERVER_ENV), for experiments. */
let serverEnvironment: Record<string, string> = {};
export function setServerEnvironment(env: Record<string, string>): void {
  serverEnvironment = env;
}

export interface SubledgerServer {
  process: ServerProcess;
  base: string;
  /** The default tenant's test secret key (printed once, on a fresh database). */
  key: string;
  tenantId: string;
  mode: 'test';
}

/**
 * `node dist/cli/main.js serve` on `databaseUrl`, port chosen by the OS, rate limit off, warn logs.
 * On a fresh database it waits for the printed test key; on a known one `known` supplies it.
 */
export async function startSubledger(options: {
  label: string;
  databaseUrl: string;
  env?: Record<string, string>;
  known?: { key: string; tenantId: string };
  /** Node's own flags before the script (a profiler's). */
  nodeArgs?: string[];
}): Promise<SubledgerServer> {
  const server = new ServerProcess(
    options.label,
    [...(options.nodeArgs ?? []), 'dist/cli/main.js', 'serve'],
    { LOG_LEVEL: 'warn', SUBLEDGER_RATE_LIMIT: '0', ...serverEnvironment, DATABASE_URL: options.databaseUrl, PORT: '0', HOST: '127.0.0.1', ...options.env },
    /API docs: (http:\/\/127\.0\.0\.1:\d+)\/docs/,
  );
  let base: string;
  try {
    base = await server.base;
  } catch (error) {
    await server.stop().catch(() => {});
    throw new Error(`the subledger server (${options.label}) did not start: ${(error as Error).message}\n(is dist/ built? npm run bench builds it first)`);
  }
  if (options.known) return { process: server, base, ...options.known, mode: 'test' };
  const key = /test secret key:\s+(sk_test_[0-9A-Za-z]+)/.exec(server.output)?.[1];
  const tenantId = /Created tenant "[^"]*" \((ten_[0-9A-Za-z]+)\)/.exec(server.output)?.[1];
  if (!key || !tenantId) {
    await server.stop();
    throw new Error(`the subledger server (${options.label}) started without printing a test secret key and its tenant: is the database fresh?\n${server.tail()}`);
  }
  return { process: server, base, key, tenantId, mode: 'test' };
}

/** The framework ceiling: bench/ceiling-server.mjs, one GET route answering {"hello":"world"}. */
export async function startCeiling(): Promise<{ process: ServerProcess; base: string }> {
  const server = new ServerProcess('ceiling server', ['bench/ceiling-server.mjs'], { PORT: '0' }, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
  try {
    return { process: server, base: await server.base };
  } catch (error) {
    await server.stop().catch(() => {});
    throw error;
  }
}
