import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { FastifyInstance, InjectOptions } from 'fastify';

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

/** A built app and the origin requests to it are addressed to (a TestApp is one). */
export interface InjectTarget {
  app: FastifyInstance;
  origin: string;
}

/**
 * Where a request goes: a built app, through `inject` (the whole fastify stack, no socket), or
 * the base URL of a listening server, through fetch (a real socket).
 */
export type HttpTarget = InjectTarget | string;

/** The origin of an app that does not listen: the Host its injected requests carry. */
export const INJECT_ORIGIN = 'http://localhost';

/** JSON in, JSON out, through inject or over a socket. */
export async function call<T = any>(target: HttpTarget, method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let payload: string | undefined;
  if (options.rawBody !== undefined) payload = options.rawBody;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  let status: number;
  let responseHeaders: Headers;
  let text: string;
  if (typeof target === 'string') {
    let response: Response;
    try {
      response = await fetch(`${target}${path}`, { method, headers, body: payload });
    } catch (error) {
      // undici says only "fetch failed": name what failed underneath (a refused or timed-out connect, a reset),
      // still a TypeError as fetch throws.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new TypeError(`${method} ${path}: ${(error as Error).message} (${cause?.code ?? cause?.message ?? 'no cause given'})`, { cause: error });
    }
    [status, responseHeaders, text] = [response.status, response.headers, await response.text()];
  } else {
    const response = await target.app.inject({
      method: method as InjectOptions['method'],
      url: path,
      headers: { host: new URL(target.origin).host, ...headers },
      ...(payload === undefined ? {} : { payload }),
    });
    [status, responseHeaders, text] = [response.statusCode, headersOf(response.headers), response.payload];
  }
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status, headers: responseHeaders, body: parsed as T, text };
}

/** An inject answer's headers as fetch gives them (a repeated header, e.g. set-cookie, appended). */
function headersOf(raw: Record<string, string | string[] | number | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, String(one));
  }
  return headers;
}

/**
 * A `fetch` that answers through `app.inject`, for client libraries that take one (openapi-fetch):
 * the URL's path and query are injected with its host, no socket.
 */
export function injectFetch({ app }: InjectTarget): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const response = await app.inject({
      method: request.method as InjectOptions['method'],
      url: `${url.pathname}${url.search}`,
      headers: { ...Object.fromEntries(request.headers), host: url.host },
      ...(body === undefined ? {} : { payload: body }),
    });
    // A null-body status (204, 304) takes no body, not even an empty one.
    const nullBody = [101, 204, 205, 304].includes(response.statusCode) || request.method === 'HEAD';
    return new Response(nullBody ? null : new Uint8Array(response.rawPayload), { status: response.statusCode, headers: headersOf(response.headers) });
  };
}

/** A client bound to one key; POSTs get a fresh Idempotency-Key unless one is given. */
export function client(target: HttpTarget, key: string) {
  return {
    get: <T = any>(path: string, options: RequestOptions = {}) => call<T>(target, 'GET', path, undefined, { key, ...options }),
    post: <T = any>(path: string, body: unknown, options: RequestOptions = {}) =>
      call<T>(target, 'POST', path, body, { key, idempotencyKey: randomUUID(), ...options }),
    patch: <T = any>(path: string, body: unknown, options: RequestOptions = {}) => call<T>(target, 'PATCH', path, body, { key, ...options }),
    put: <T = any>(path: string, body: unknown, options: RequestOptions = {}) => call<T>(target, 'PUT', path, body, { key, ...options }),
    delete: <T = any>(path: string, options: RequestOptions = {}) => call<T>(target, 'DELETE', path, undefined, { key, ...options }),
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

/** An answer of `callExactly`: status, headers as node gives them (Set-Cookie an array), parsed JSON or the text. */
export interface ExactAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/**
 * One request over a socket with exactly these headers, Host included (fetch would not send a
 * forged Host; inject has no socket address): what a client choosing its own Host sends.
 */
export function callExactly(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<ExactAnswer> {
  const url = new URL(path, baseUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
