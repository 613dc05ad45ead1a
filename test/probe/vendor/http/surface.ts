import { Type } from 'typebox';
import { fromMajorDecimal, majorDecimalOf, type Money } from '../../../../src/ledger/money.js';
import { bearerTokenOf } from '../../../../src/http/auth.js';
import { HttpFailure, type Failure } from '../../../../src/http/failures.js';
import { jsonResponse, type SurfaceApp, type SurfaceDefinition, type SurfaceKit } from '../../../../src/http/surface.js';
import type { OutboxEvent } from '../../../../src/store/ports.js';
import { createWallet, creditWallet, walletBalance, type Wallet } from '../domain/wallets.js';

// The probe vendor's wire: its own JSON, its own error shape, its own webhook envelope.

export const PROBE_WALLET_ERROR = 'application/vnd.probe-wallet-error+json';

const STATUS_OF_CODE: Record<string, number> = {
  request_invalid: 400, malformed_json: 400, validation_failed: 400, unauthenticated: 401, permission_denied: 403,
  route_not_found: 404, not_found: 404, method_not_allowed: 405, idempotency_key_reused: 409, idempotency_key_in_use: 409,
  payload_too_large: 413, unsupported_media_type: 415, rate_limited: 429, unavailable: 503,
};

function renderWalletFailure(failure: Failure) {
  const headers = { 'content-type': PROBE_WALLET_ERROR, ...(failure instanceof HttpFailure ? failure.headers : {}) };
  return { status: STATUS_OF_CODE[failure.code] ?? 500, headers, body: JSON.stringify({ wallet_error: failure.code, message: failure.message }), resourceId: null };
}

const presentWallet = (wallet: Wallet) => ({ id: wallet.id, name: wallet.name, currency: wallet.currency, created: wallet.createdAt });
const presentMoney = (money: Money) => ({ currency: money.currency, amount: majorDecimalOf(money) });

function registerWalletRoutes(app: SurfaceApp, { services, run }: SurfaceKit): void {
  app.post('', {
    schema: { operationId: 'createProbeWallet', summary: 'Create a wallet', body: Type.Object({ name: Type.String({ minLength: 1 }), currency: Type.String() }, { additionalProperties: false }) },
  }, (request, reply) => run(request, reply, (tx, ctx) => createWallet(tx, ctx, request.body), (wallet) => jsonResponse(201, presentWallet(wallet), wallet.id)));

  app.post('/:wallet/credits', {
    schema: {
      operationId: 'creditProbeWallet',
      summary: 'Credit a wallet',
      params: Type.Object({ wallet: Type.String() }),
      body: Type.Object({ currency: Type.String(), amount: Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$' }) }, { additionalProperties: false }),
    },
  }, (request, reply) => {
    const amount = fromMajorDecimal(request.body.currency, request.body.amount);
    return run(request, reply, (tx, ctx) => creditWallet(tx, ctx, request.params.wallet, amount), (balance) => jsonResponse(200, presentMoney(balance)));
  });

  app.get('/:wallet/balance', {
    schema: { operationId: 'getProbeWalletBalance', summary: "A wallet's balance", params: Type.Object({ wallet: Type.String() }) },
  }, async (request) => presentMoney(await walletBalance(services.store.reader, request.principal!.scope, request.params.wallet)));
}

export const probeWalletSurface: SurfaceDefinition = {
  name: 'probe-wallets',
  routes: { '/probe-wallets': registerWalletRoutes },
  authenticate: (request, services) => services.authenticator.authenticate(bearerTokenOf(request)),
  authenticationChallenge: 'Bearer realm="probe-wallets"',
  renderFailure: renderWalletFailure,
  idempotencyHeaders: ['idempotency-key'],
  securitySchemes: { probeWalletKey: { type: 'http', scheme: 'bearer', description: 'A secret key' } },
  tags: [{ name: 'probe-wallets', description: 'The probe vendor (tests only)' }],
  openApiFailures: {
    mediaType: PROBE_WALLET_ERROR,
    schemaName: 'ProbeWalletError',
    schema: Type.Object({ wallet_error: Type.String(), message: Type.String() }),
    describe: (status) => `probe wallet failure ${status}`,
    authentication: [401, 403, 429],
  },
  publishEvents(catalog) {
    catalog
      .publish('probe_wallet.created', { surface: 'probe-wallets', type: 'wallet.opened', present: presentWallet })
      .publish('probe_wallet.credited', { surface: 'probe-wallets', type: 'wallet.credited', present: ({ holderId, amount, balance }) => ({ wallet: holderId, amount: presentMoney(amount), balance: presentMoney(balance) }) });
  },
  webhookEnvelope: (event: OutboxEvent) => ({ body: JSON.stringify({ kind: event.type, payload: event.data }), headers: { 'x-probe-wallet': '1' } }),
};
