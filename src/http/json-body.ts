import type { FastifyInstance } from 'fastify';
import { HttpFailure, type WireViolation } from './failures.js';

/** Deeper bodies are refused before anything walks them (no surface has a use for them). */
export const MAX_JSON_DEPTH = 32;

const NUL = '\u0000';
const NUL_MESSAGE = 'must not contain NUL (\\u0000) characters';

/**
 * The first reason no surface accepts a parsed JSON body: nesting deeper than MAX_JSON_DEPTH,
 * or a NUL character in any key or string (PostgreSQL text cannot hold one, and no vendor
 * field needs one). Iterative, so a hostile depth cannot exhaust the stack.
 */
export function jsonBodyProblem(body: unknown): WireViolation | null {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return { param: path || 'body', message: NUL_MESSAGE };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return { param: path || 'body', message: `must not be nested more than ${MAX_JSON_DEPTH} levels deep` };
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (key.includes(NUL)) return { param: path || 'body', message: `keys ${NUL_MESSAGE}` };
      pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return null;
}

/** Path parameters and query values with a NUL character. */
export function textProblem(values: unknown): WireViolation | null {
  if (!values || typeof values !== 'object') return null;
  for (const [name, value] of Object.entries(values)) {
    const texts = Array.isArray(value) ? value : [value];
    if (name.includes(NUL) || texts.some((t) => typeof t === 'string' && t.includes(NUL))) return { param: name, message: NUL_MESSAGE };
  }
  return null;
}

/** fastify's own JSON parser (prototype-poisoning checks, body limit), then jsonBodyProblem. */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, body.toString(), (error, value) => {
      if (error) return done(error, undefined);
      const problem = jsonBodyProblem(value);
      if (problem) return done(new HttpFailure('request_invalid', 'the request body is invalid', [problem]), undefined);
      done(null, value);
    });
  });
}
