import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { call, client, type ApiResponse, type HttpTarget } from '../support/http.js';
import type { TestApp } from '../support/server.js';

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

/**
 * A fresh tenant of `server` whose test clock is frozen at `start` (each movement gets a known
 * time), with its platform client and a way to move the clock on.
 */
export async function frozenTenant(server: TestApp, start: string) {
  const tenant = await server.createTenant(`frozen-${randomUUID().slice(0, 6)}`);
  const api = platformClient(server, tenant.keys.test.secret);
  const testing = client(server, tenant.keys.test.secret);
  const setClock = async (at: string) => assert.equal((await testing.put('/testing/v1/clock', { frozen_at: at })).status, 200);
  await setClock(start);
  return { tenant, api, setClock, platformId: tenant.tenant.id };
}
