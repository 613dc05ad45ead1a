import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { WebhookUrlRefused, type ResolvedTarget, type WebhookUrlPolicy } from '../tenancy/webhook-url-policy.js';

/** What one POST to a receiver came to. */
export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  /** What went wrong, in our words: never the URL or a message that may quote it (it could carry credentials). */
  error: string | null;
  durationMs: number;
}

const USER_AGENT = 'subledger-webhooks/0.1';

// Kept-alive connections are keyed by host and port; each was opened to an address the policy
// checked, and every delivery checks its host's addresses again before it is sent.
const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

/**
 * POSTs one webhook. Only a 2xx is a success: redirects are not followed (Standard Webhooks:
 * 3xx is a failure), and a receiver that hangs is cut off after `timeoutMs`. The URL passes
 * the policy first (SPEC §9), and the connection goes to the address the policy checked: the
 * host is looked up once, here, never again by the HTTP client.
 */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number, policy: WebhookUrlPolicy): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const { url: parsed, target } = await withSignal(policy.resolveForDelivery(url), signal);
    const statusCode = await post(parsed, target, body, headers, signal);
    const ok = statusCode >= 200 && statusCode < 300;
    const error = ok ? null : statusCode >= 300 && statusCode < 400 ? `redirect (HTTP ${statusCode}) not followed` : `HTTP ${statusCode}`;
    return { ok, statusCode, error, durationMs: elapsed() };
  } catch (error) {
    return { ok: false, statusCode: null, error: describeFailure(error, timeoutMs), durationMs: elapsed() };
  }
}

/** The answer's status; its body is read and dropped (the connection goes back to the pool). */
function post(url: URL, target: ResolvedTarget, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<number> {
  // Whatever node asks for (one address, or all of them for happy eyeballs), the answer is the checked one.
  const checkedAddress: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': USER_AGENT, ...headers },
        agent: secure ? httpsAgent : httpAgent,
        lookup: checkedAddress,
      },
      (response: IncomingMessage) => {
        response.on('error', () => {});
        // The timeout holds until the answer's body has been read too; then the socket is the pool's, not this request's.
        response.on('close', release);
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    const abort = () => request.destroy(signal.reason as Error);
    const release = () => signal.removeEventListener('abort', abort);
    request.on('error', (error) => {
      release();
      reject(error);
    });
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    request.end(body);
  });
}

function withSignal<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason as Error);
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/** Network failures by their code, in our words: node's messages name addresses and ports, and another client's might quote the URL. */
const NETWORK_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection closed before an answer',
  EPIPE: 'the connection closed while the request was sent',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved now',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
  HPE_INVALID_CONSTANT: 'the answer is not valid HTTP',
};

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof WebhookUrlRefused) return `refused by the webhook URL policy: the URL ${error.message}`;
  const e = error as { name?: string; code?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'ABORT_ERR') return `no answer within ${timeoutMs} ms`;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && NETWORK_FAILURES[code]) return `${NETWORK_FAILURES[code]} (${code})`;
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT')) return `TLS failed (${code})`;
  return code ? `request failed (${code})` : 'request failed';
}
