import { ValidationFailed, type FieldViolation } from '../ledger/errors.js';
import type { FaultAnswer } from '../http/failures.js';
import type { InjectedFault } from '../http/injected-faults.js';

/**
 * A fault a tenant sets for its own test-mode requests (SPEC §7 "Faults"): which requests it
 * takes (method, path with `*` for one whole segment), what it does to each (answer `status`
 * with `code`, `message` and Retry-After; delay; drop the connection), and how many it takes.
 */
export interface FaultSpec {
  /** Upper case; null: any method. */
  method: string | null;
  path: string;
  status: number | null;
  code: string | null;
  message: string | null;
  retryAfter: number | null;
  delayMs: number;
  drop: boolean;
  times: number;
}

export interface Fault extends FaultSpec {
  id: string;
  /** Requests it still takes (a fault with none left is gone). */
  remaining: number;
  createdAt: string;
}

export const FAULT_LIMITS = {
  status: { minimum: 400, maximum: 599 },
  delayMs: { minimum: 0, maximum: 30_000 },
  times: { minimum: 1, maximum: 1000 },
  retryAfter: { minimum: 0, maximum: 86_400 },
} as const;

export const FAULT_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The rules between fields that a schema does not say (each field's own range is the schema's).
 * @throws ValidationFailed naming every offending field
 */
export function checkFault(spec: FaultSpec): void {
  const violations: FieldViolation[] = [];
  if (spec.status === null && spec.delayMs === 0 && !spec.drop) {
    violations.push({ field: 'status', message: 'is required unless delay_ms or drop is given: a fault must answer, delay or drop' });
  }
  if (spec.drop && spec.status !== null) violations.push({ field: 'drop', message: 'cannot be combined with status: a dropped request gets no answer' });
  if (spec.status === null) {
    for (const [field, value] of [['code', spec.code], ['message', spec.message], ['retry_after', spec.retryAfter]] as const) {
      if (value !== null) violations.push({ field, message: 'needs status: it is part of the answer a fault gives' });
    }
  }
  const segments = spec.path.split('/').slice(1);
  if (segments.some((segment) => segment.includes('*') && segment !== '*')) {
    violations.push({ field: 'path', message: "may use '*' only as a whole segment (/v2/accounts/*)" });
  }
  if (violations.length > 0) throw new ValidationFailed(violations);
}

/** Whether a request path (no query) is `pattern`: equal, or equal but for `*` segments, each one whole non-empty segment. */
export function pathMatches(pattern: string, path: string): boolean {
  if (!pattern.includes('*')) return pattern === path;
  const wanted = pattern.split('/');
  const actual = path.split('/');
  if (wanted.length !== actual.length) return false;
  return wanted.every((segment, i) => (segment === '*' ? actual[i] !== '' : segment === actual[i]));
}

/** Whether `fault` takes a request of `method` to `path` (no query). */
export function faultTakes(fault: FaultSpec, method: string, path: string): boolean {
  return (fault.method === null || fault.method === method) && pathMatches(fault.path, path);
}

/** What the fault does to the request it took. */
export function injectedFaultOf(fault: Fault, method: string, path: string): InjectedFault {
  const answer: FaultAnswer | null =
    fault.status === null
      ? null
      : {
          status: fault.status,
          code: fault.code,
          message: fault.message ?? `fault ${fault.id} of the testing API answered ${method} ${path} with ${fault.status} (nothing ran)`,
          headers: fault.retryAfter === null ? {} : { 'retry-after': String(fault.retryAfter) },
        };
  return { id: fault.id, delayMs: fault.delayMs, drop: fault.drop, answer };
}
