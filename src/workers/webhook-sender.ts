/** What one POST to a receiver came to. */
export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

const USER_AGENT = 'subledger-webhooks/0.1';

/**
 * POSTs one webhook. Only a 2xx is a success: redirects are not followed (Standard Webhooks:
 * 3xx is a failure), and a receiver that hangs is cut off after `timeoutMs`.
 */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body is of no interest; release the connection.
    await response.body?.cancel().catch(() => {});
    const ok = response.status >= 200 && response.status < 300;
    const error = ok ? null : response.status >= 300 && response.status < 400 ? `redirect (HTTP ${response.status}) not followed` : `HTTP ${response.status}`;
    return { ok, statusCode: response.status, error, durationMs: elapsed() };
  } catch (error) {
    return { ok: false, statusCode: null, error: describeNetworkError(error, timeoutMs), durationMs: elapsed() };
  }
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message ?? 'request failed'} (${cause})` : (e.message ?? 'request failed');
}
