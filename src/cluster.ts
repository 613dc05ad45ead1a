import cluster, { type Worker } from 'node:cluster';
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import { ensureDefaultTenant, openStore } from './runtime.js';
import { exitOnSignals, listenApi, startupText } from './server.js';
import { StartupFailure } from './startup-failure.js';

// `subledger serve --processes N` (N > 1): one primary and N API worker processes sharing
// HOST:PORT through node:cluster (the primary accepts and hands connections round-robin).
// The primary migrates and creates the default tenant, once; workers only serve. They share
// everything else through PostgreSQL, as separate API nodes do (docs/architecture.md).

/** Restarts of dead workers allowed within RESTART_WINDOW_MS; one more death and the primary gives up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** The primary runs two statements (the default tenant), one after the other. */
const PRIMARY_POOL_SIZE = 2;

/** What a worker whose start failed sends its primary: the one line the primary prints. */
interface StartupFailureMessage {
  type: 'subledger:startup-failure';
  message: string;
}

function isStartupFailureMessage(value: unknown): value is StartupFailureMessage {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'subledger:startup-failure';
}

/** Whether this process is a worker a `serve --processes` primary started. */
export const isClusterWorker = (): boolean => cluster.isWorker;

/**
 * In a worker: hands the line a failed start would print to the primary, which prints it once
 * for all workers, and exits 1.
 */
export function reportWorkerFailure(message: string): void {
  const failure: StartupFailureMessage = { type: 'subledger:startup-failure', message };
  process.send!(failure, undefined, {}, () => process.exit(1));
}

/** A worker: the API without migrations (the primary ran them) and without the default tenant. */
/** @throws StartupFailure (database, PORT, HOST) */
export async function serveClusterWorker(config: Config): Promise<void> {
  const api = await listenApi(config, { migrate: false });
  // Ctrl-C reaches the whole process group; the primary answers it with SIGTERM to each worker.
  process.on('SIGINT', () => {});
  exitOnSignals(api, ['SIGTERM']);
}

/**
 * The primary of `serve --processes N`: migrates, starts N workers, and once every one listens
 * creates the default tenant on a fresh database and prints what `serve` prints. It restarts a
 * worker that dies (at most MAX_RESTARTS per minute, then exits 1) and on SIGTERM/SIGINT stops
 * every worker gracefully, then exits 0.
 */
/** @throws StartupFailure (SQLite, database, PORT, HOST: the first worker's failure) */
export async function serveCluster(config: Config, processes: number): Promise<void> {
  if (config.databaseUrl.startsWith('sqlite:')) {
    throw new StartupFailure(
      `${processes} processes need PostgreSQL: SQLite has one writer, so one process serves it; ` +
        'set DATABASE_URL to a postgres:// URL, or start one process (--processes 1, SUBLEDGER_PROCESSES=1)',
    );
  }
  const log = pino({ level: config.logLevel });
  // Migrates once, before any worker starts: workers never race on migrations.
  const store = await openStore({ ...config, pgPoolSize: Math.min(config.pgPoolSize, PRIMARY_POOL_SIZE) });
  const primary = new ClusterPrimary(processes, log);
  try {
    const port = await primary.start();
    // After every worker listens: a start that fails before it leaves no tenant whose keys nobody saw.
    const created = await ensureDefaultTenant(store);
    process.stdout.write(startupText(config, port, created));
    log.info({ processes, worker_pids: primary.pids() }, 'worker processes listening');
  } catch (error) {
    await primary.stop();
    throw error;
  } finally {
    await store.close();
  }
}

class ClusterPrimary {
  private phase: 'starting' | 'running' | 'stopping' = 'starting';
  private readonly live = new Set<Worker>();
  /** The line each worker sent before exiting, by worker id. */
  private readonly failures = new Map<number, string>();
  /** When each restart happened, within the last RESTART_WINDOW_MS. */
  private restarts: number[] = [];
  private cleanExit = true;
  private allExited: (() => void) | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly processes: number,
    private readonly log: Logger,
  ) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        if (this.stopping) return; // already on its way out (a second Ctrl-C, or giving up)
        this.log.info({ signal }, 'shutting down');
        void this.stop().then(() => process.exit(this.cleanExit ? 0 : 1));
      });
    }
  }

  /** Forks the workers; resolves with the port once every one listens. */
  /** @throws StartupFailure naming what stopped the first worker that exited before listening */
  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      const listening = new Set<number>();
      cluster.on('message', (worker, message: unknown) => {
        if (isStartupFailureMessage(message)) this.failures.set(worker.id, message.message);
      });
      cluster.on('listening', (worker, address) => {
        if (this.phase !== 'starting') {
          this.log.info({ worker_pid: worker.process.pid }, 'restarted worker process listening');
          return;
        }
        listening.add(worker.id);
        if (listening.size === this.processes) {
          this.phase = 'running';
          resolve(address.port);
        }
      });
      cluster.on('exit', (worker, code, signal) => {
        this.live.delete(worker);
        const failure = this.failures.get(worker.id);
        this.failures.delete(worker.id);
        const how = `${signal ? `signal ${signal}` : `exit code ${code}`}${failure ? `: ${failure}` : ''}`;
        if (this.phase === 'stopping') {
          // A worker still starting has no SIGTERM handler yet: the signal ends it, as asked. One
          // whose start failed too (the same port, the same configuration) has said so already.
          if (code !== 0 && signal !== 'SIGTERM' && !failure) {
            this.cleanExit = false;
            this.log.error({ worker_pid: worker.process.pid, code, signal }, 'worker process did not shut down cleanly');
          }
          if (this.live.size === 0) this.allExited?.();
        } else if (this.phase === 'starting') {
          reject(failure ? new StartupFailure(failure) : new StartupFailure(`a worker process ended before it listened (${how})`));
        } else {
          this.restart(worker, how);
        }
      });
      for (let i = 0; i < this.processes; i += 1) this.fork();
    });
  }

  pids(): (number | undefined)[] {
    return [...this.live].map((worker) => worker.process.pid);
  }

  /** SIGTERM to every worker (each finishes its in-flight requests); resolves once all have exited. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      this.phase = 'stopping';
      this.allExited = resolve;
      if (this.live.size === 0) resolve();
      for (const worker of this.live) worker.process.kill('SIGTERM');
    });
    return this.stopping;
  }

  private fork(): void {
    this.live.add(cluster.fork());
  }

  private restart(dead: Worker, how: string): void {
    const now = Date.now();
    this.restarts = this.restarts.filter((at) => now - at < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      this.log.error({ worker_pid: dead.process.pid, restarts: this.restarts.length }, 'worker processes keep dying; stopping');
      void this.stop().then(() => {
        process.stderr.write(
          `subledger: worker processes keep dying (${MAX_RESTARTS} restarts within ${RESTART_WINDOW_MS / 1000} s, then ${how}); stopping\n`,
        );
        process.exit(1);
      });
      return;
    }
    this.restarts.push(now);
    this.log.warn({ worker_pid: dead.process.pid, reason: how }, 'worker process died; starting another');
    this.fork();
  }
}
