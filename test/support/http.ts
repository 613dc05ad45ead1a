import { randomUUID } from 'node:crypto';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: T;
  text: string;
}

export interface RequestOptions {
  key?: string | null;
  idempotencyKey?: string | null;
  headers?: Record<string, string>;
  /** Sent verbatim instead of JSON.stringify(body). */
  rawBody?: string;
}

/** fetch against a base URL; JSON in, JSON out. */
export async function call<T = any>(baseUrl: string, method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let payload: string | undefined;
  if (options.rawBody !== undefined) payload = options.rawBody;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/** A client bound to one key; POSTs get a fresh Idempotency-Key unless one is given. */
export function client(baseUrl: string, key: string) {
  return {
    get: <T = any>(path: string, options: RequestOptions = {}) => call<T>(baseUrl, 'GET', path, undefined, { key, ...options }),
    post: <T = any>(path: string, body: unknown, options: RequestOptions = {}) =>
      call<T>(baseUrl, 'POST', path, body, { key, idempotencyKey: randomUUID(), ...options }),
    patch: <T = any>(path: string, body: unknown, options: RequestOptions = {}) => call<T>(baseUrl, 'PATCH', path, body, { key, ...options }),
    delete: <T = any>(path: string, options: RequestOptions = {}) => call<T>(baseUrl, 'DELETE', path, undefined, { key, ...options }),
  };
}

export const uniqueRef = (prefix = 'REF') => `${prefix}-${randomUUID().slice(0, 8)}`;
