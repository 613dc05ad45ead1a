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

/**
 * Sends `text` as it is over one TCP connection and resolves with the first answer, parsed
 * (requests fetch cannot send, e.g. a body longer than its Content-Length). The server
 * answers and closes the connection; when it answers several requests first, the last answer is parsed.
 */
export async function rawHttp<T = any>(baseUrl: string, text: string): Promise<ApiResponse<T> & { raw: string }> {
  const { connect } = await import('node:net');
  const url = new URL(baseUrl);
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(text));
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
  const responses = raw.split(/(?=HTTP\/1\.1 \d{3} )/).filter((r) => r.length > 0);
  const last = responses.at(-1) ?? '';
  const [head = '', body = ''] = last.split('\r\n\r\n', 2);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = new Headers(headerLines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as [string, string]));
  let parsed: unknown = body;
  try {
    parsed = JSON.parse(body);
  } catch {
    // not JSON: keep the text
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: parsed as T, text: body, raw };
}
