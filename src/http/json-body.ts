import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpFailure, type WireViolation } from './failures.js';

/** Deeper bodies are refused before anything walks them (no surface has a use for them). */
export const MAX_JSON_DEPTH = 32;
/** Keys in all, at every depth (SPEC §9): no vendor body comes near it, and parsing ~100k keys costs a CPU a third of a second. */
export const MAX_JSON_KEYS = 10_000;

/** Throws on the first byte sequence that is not UTF-8, instead of mending it to U+FFFD (SPEC §9 "bytes are checked"). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * The keys a JSON text holds, counted up to `limit + 1` before anything parses it: each key is
 * followed by a colon outside every string, and no other colon is. One pass over the bytes
 * (UTF-8 continuation bytes are never ASCII), a few milliseconds for a MiB.
 */
export function countJsonKeys(bytes: Uint8Array, limit = MAX_JSON_KEYS): number {
  let keys = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === BACKSLASH) escaped = true;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === COLON && ++keys > limit) return keys;
  }
  return keys;
}

const invalidBody = (message: string) => new HttpFailure('request_invalid', 'the request body is invalid', [{ param: 'body', message }]);

/** A request body's text, as sent. @throws HttpFailure (request_invalid) when it is not UTF-8 */
export function decodeUtf8Body(bytes: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw invalidBody('is not valid UTF-8: send the JSON body encoded as UTF-8');
  }
}

/**
 * A JSON body's text, checked before it is parsed: at most MAX_JSON_KEYS keys, valid UTF-8.
 * @throws HttpFailure (request_invalid)
 */
export function decodeJsonBody(bytes: Uint8Array): string {
  if (countJsonKeys(bytes) > MAX_JSON_KEYS) throw invalidBody(`must not hold more than ${MAX_JSON_KEYS} keys in all`);
  return decodeUtf8Body(bytes);
}

const NUL = /\u0000/;
const NUL_MESSAGE = 'must not contain NUL (\\u0000) characters';
/** Half of a UTF-16 surrogate pair without the other half: no character at all, and each store would mend it differently. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_MESSAGE = 'must not contain a lone UTF-16 surrogate (\\ud800–\\udfff without its pair): it is not a character';

/** Why no store may keep this text (PostgreSQL cannot hold NUL; SQLite and PostgreSQL mend lone surrogates differently), or null. */
function textFault(text: string): string | null {
  if (NUL.test(text)) return NUL_MESSAGE;
  if (LONE_SURROGATE.test(text)) return LONE_SURROGATE_MESSAGE;
  return null;
}

/**
 * The first reason no surface accepts a parsed JSON body: nesting deeper than MAX_JSON_DEPTH,
 * or text no store keeps as sent (textFault) in any key or string; no vendor field needs
 * either. Iterative, so a hostile depth cannot exhaust the stack.
 */
export function jsonBodyProblem(body: unknown): WireViolation | null {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      const fault = textFault(value);
      if (fault) return { param: path || 'body', message: fault };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return { param: path || 'body', message: `must not be nested more than ${MAX_JSON_DEPTH} levels deep` };
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      const fault = textFault(key);
      if (fault) return { param: path || 'body', message: `keys ${fault}` };
      pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return null;
}

/** Path parameters and query values with text no store keeps as sent (textFault). */
export function textProblem(values: unknown): WireViolation | null {
  if (!values || typeof values !== 'object') return null;
  for (const [name, value] of Object.entries(values)) {
    const texts = Array.isArray(value) ? value : [value];
    for (const text of [name, ...texts]) {
      const fault = typeof text === 'string' ? textFault(text) : null;
      if (fault) return { param: name, message: fault };
    }
  }
  return null;
}

/**
 * decodeJsonBody (key count, UTF-8), fastify's own JSON parser (prototype-poisoning checks,
 * body limit), then jsonBodyProblem.
 * Bodies are plain JSON: one sent with a content coding (gzip, deflate) is 415 before it is
 * read, rather than bytes that then fail as invalid JSON (RFC 9110 §15.5.16).
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const coding = request.headers['content-encoding']?.trim().toLowerCase();
    const hasBody = request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;
    if (hasBody && coding && coding !== 'identity') {
      done(new HttpFailure('unsupported_media_type', `Content-Encoding ${coding.slice(0, 40)} is not supported: send the JSON body uncompressed, without Content-Encoding`));
      return;
    }
    done(null, payload);
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => parseCheckedJson(parseJson, request, body as Buffer, (error, value) => done(error, value)));
}

type DefaultJsonParser = ReturnType<FastifyInstance['getDefaultJsonParser']>;

/**
 * One JSON body, every check in order: decodeJsonBody (key count, UTF-8), fastify's parser
 * (prototype poisoning), jsonBodyProblem (depth, text). `done` gets the value and the text it
 * was parsed from, or the failure. Every JSON content-type parser goes through it.
 */
export function parseCheckedJson(parseJson: DefaultJsonParser, request: FastifyRequest, bytes: Buffer, done: (error: Error | null, value?: unknown, text?: string) => void): void {
  let text: string;
  try {
    text = decodeJsonBody(bytes);
  } catch (error) {
    return done(error as Error);
  }
  void parseJson(request, text, (error: Error | null, value: unknown) => {
    if (error) return done(error);
    const problem = jsonBodyProblem(value);
    if (problem) return done(new HttpFailure('request_invalid', 'the request body is invalid', [problem]));
    done(null, value, text);
  });
}
