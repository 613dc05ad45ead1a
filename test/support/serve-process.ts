import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { builtCli, ROOT } from './built-cli.js';
import { waitFor } from './wait.js';

// The real `subledger serve` as a child process (CLI, crash, restart and multi-process tests).

/** Service variables are cleared from the inherited environment so each process gets only its own. */
export function serviceEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(SUBLEDGER_|SMTP_URL$|PORT$|HOST$|DATABASE_URL$|LOG_LEVEL$)/.test(name)) delete env[name];
  }
  return { ...env, PORT: '0', SUBLEDGER_RATE_LIMIT: '0', LOG_LEVEL: 'warn', ...overrides };
}

export class ServeProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  exited = false;
  private readonly exit: Promise<[number | null, NodeJS.Signals | null]>;

  constructor(
    readonly name: string,
    env: Record<string, string>,
    private readonly outputTimeoutMs = 30_000,
    /** After `serve` (`--processes 2`). */
    args: string[] = [],
  ) {
    const [node, main] = builtCli();
    this.child = spawn(node, [main, 'serve', ...args], { cwd: ROOT, env: serviceEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.exit = once(this.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.child.on('exit', () => (this.exited = true));
  }

  /** Resolves once stdout matches `pattern`; fails if the process exits first. */
  output(pattern: RegExp, timeoutMs = this.outputTimeoutMs): Promise<RegExpMatchArray> {
    return waitFor(
      () => {
        const match = this.stdout.match(pattern);
        if (!match && this.exited) throw new Error(`${this.name} exited before printing ${pattern}\nstderr: ${this.stderr.slice(-2000)}`);
        return match;
      },
      timeoutMs,
      () => `${this.name} to print ${pattern}\nstdout: ${this.stdout.slice(-2000)}\nstderr: ${this.stderr.slice(-2000)}`,
    );
  }

  /** The base URL, once the docs line says the server listens. */
  async ready(): Promise<string> {
    const [, base] = await this.output(/API docs: (http:\/\/127\.0\.0\.1:\d+)\/docs\b/);
    return base!;
  }

  /** The default tenant's id and test secret key, printed on a fresh database. */
  async defaultTenant(): Promise<{ tenantId: string; secret: string }> {
    const [, tenantId] = await this.output(/Created tenant "default" \((ten_[0-9A-Za-z]+)\)/);
    const [secret] = await this.output(/\bsk_test_[0-9A-Za-z]{32}\b/);
    return { tenantId: tenantId!, secret: secret! };
  }

  /** A crash: SIGKILL, no graceful shutdown; resolves with the signal that ended the process. */
  async sigkill(): Promise<NodeJS.Signals | null> {
    if (!this.exited) this.child.kill('SIGKILL');
    const [, signal] = await this.exit;
    return signal;
  }

  /** SIGTERM (graceful), then the exit code. */
  async terminate(): Promise<number | null> {
    if (!this.exited) this.child.kill('SIGTERM');
    const [code] = await this.exit;
    return code;
  }
}

/** Every process a file spawned, so that its `after` can SIGKILL whatever a failed test left running. */
export class ServeProcesses {
  private readonly all: ServeProcess[] = [];

  /** `defaults` are every process's variables under its own; `outputTimeoutMs` bounds each wait for output. */
  constructor(
    private readonly defaults: Record<string, string> = {},
    private readonly outputTimeoutMs = 30_000,
  ) {}

  start(name: string, env: Record<string, string>, args: string[] = []): ServeProcess {
    const serve = new ServeProcess(name, { ...this.defaults, ...env }, this.outputTimeoutMs, args);
    this.all.push(serve);
    return serve;
  }

  async killAll(): Promise<void> {
    for (const serve of this.all) await serve.sigkill().catch(() => {});
  }
}
