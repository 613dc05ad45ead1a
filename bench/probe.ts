import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { ROOT } from './servers.js';

/**
 * Runs `bench/<script>` in a process of its own (its imports measured cold, its memory its own)
 * and answers the one JSON line it prints.
 * @throws when it exits otherwise than 0, or runs past `timeoutMs`
 */
export async function runProbe<T>(script: string, args: readonly string[], timeoutMs: number): Promise<T> {
  const child = spawn(process.execPath, [join(ROOT, 'bench', script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  if (code !== 0) throw new Error(`bench/${script} exited (${code ?? signal})\n${stderr.slice(-2000)}`);
  return JSON.parse(stdout) as T;
}

/** The middle value (the mean of the two middle ones for an even count). */
export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
