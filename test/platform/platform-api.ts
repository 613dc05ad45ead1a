import { randomUUID } from 'node:crypto';
import { call, type ApiResponse, type HttpTarget } from '../support/http.js';

/** A Xendit-style client: HTTP Basic with the secret key as username and an empty password. */
export function platformClient(target: HttpTarget, key: string) {
  const authorization = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  const send = <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, rawBody?: string): Promise<ApiResponse<T>> =>
    call<T>(target, method, path, body, { headers: { authorization, ...headers }, rawBody });
  return {
    get: <T = any>(path: string, headers: Record<string, string> = {}) => send<T>('GET', path, undefined, headers),
    post: <T = any>(path: string, body: unknown, headers: Record<string, string> = {}) => send<T>('POST', path, body, headers),
    /** The body's text as given: amounts keep their exact JSON text. */
    postRaw: <T = any>(path: string, rawBody: string, headers: Record<string, string> = {}) => send<T>('POST', path, undefined, headers, rawBody),
    patch: <T = any>(path: string, body: unknown, headers: Record<string, string> = {}) => send<T>('PATCH', path, body, headers),
    send,
  };
}
export type PlatformClient = ReturnType<typeof platformClient>;

export const uniqueEmail = () => `owner-${randomUUID().slice(0, 8)}@example.com`;

export const accountBody = (type: 'OWNED' | 'MANAGED' = 'OWNED', businessName = 'Lemonade stand') => ({
  email: uniqueEmail(),
  type,
  public_profile: { business_name: businessName },
});

/** A new LIVE (OWNED) sub-account's id. */
export async function liveAccount(api: PlatformClient): Promise<string> {
  const created = await api.post('/v2/accounts', accountBody('OWNED'));
  if (created.status !== 200) throw new Error(`create failed: ${created.text}`);
  return created.body.id as string;
}

/** Funds a holder (the platform without `forUserId`) through the test-mode top-up. */
export async function topUp(api: PlatformClient, amount: string, forUserId?: string, currency = 'IDR'): Promise<void> {
  const answer = await api.postRaw('/balance/test/topup', `{"amount":${amount},"currency":"${currency}"}`, forUserId ? { 'for-user-id': forUserId } : {});
  if (answer.status !== 200) throw new Error(`top-up failed: ${answer.text}`);
}

export async function balanceOf(api: PlatformClient, forUserId?: string, currency = 'IDR'): Promise<string> {
  const answer = await api.get(`/balance?currency=${currency}`, forUserId ? { 'for-user-id': forUserId } : {});
  if (answer.status !== 200) throw new Error(`balance failed: ${answer.text}`);
  // The exact text of the number, as sent.
  return /"balance":(-?[0-9.]+)/.exec(answer.text)![1]!;
}
