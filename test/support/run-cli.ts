import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { builtCli, ROOT } from './built-cli.js';
import { serviceEnv } from './serve-process.js';

/** What a process that ran to its end wrote and how it ended. */
export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, stdout and stderr collected (pipes, not a terminal). */
export async function runToEnd(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<ProcessResult> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Runs `subledger <args>` to its end with the service's test environment plus `env` (`command`: how it is started, the built CLI by default). */
export function runCli(args: string[], env: Record<string, string>, command: [string, ...string[]] = builtCli(), cwd = ROOT): Promise<ProcessResult> {
  const [file, ...prefix] = command;
  return runToEnd(file, [...prefix, ...args], cwd, serviceEnv(env));
}
