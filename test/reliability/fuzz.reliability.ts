import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { toMinorUnits } from '../../src/ledger/money.js';
import { nowIso } from '../../src/ledger/clock.js';
import { newId } from '../../src/ledger/ids.js';
import type { CreatedTenant } from '../../src/tenancy/tenants.js';
import { endpointAccepts } from '../../src/tenancy/webhook-endpoints.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { call, client } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { installChangeCounters, readChangeCounters, type WatchedTable } from './change-counters.js';
import { failureShapeViolations, isMethodNotAllowed, isNotFound } from './surface-shapes.js';
import { createOAuthClient } from '../../src/surfaces/org/domain/oauth-clients.js';
import { ORG_ROLES } from '../../src/surfaces/org/domain/model.js';
import type { Mode } from '../../src/ledger/model.js';

// SPEC §2 "Errors", §6 "Reliability", §9 (bytes, key counts, webhook URLs): property-based fuzzing (fast-check) of the body, query
// string, path parameters and headers of every route of every surface (billing, platform, admin), plus
// unknown routes and wrong methods. Whatever the input: never a 5xx, always the surface's
// problem+json shape for a failure, and nothing half-applied (a failed request or any GET
// changes no row; a successful one changes exactly what it should, and every stored balance
// still equals the sum of its ledger entries).
//
// Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> npx tsx --test test/reliability/fuzz.reliability.ts

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_123);
/** Generated requests per route (GET routes get half, billing mutations twice as many). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const TEST_TIMEOUT = { timeout: 240_000 };

/** The server's store as opened (runtime.ts opens a KyselyStore): rows are counted through it. */
const storeOf = (server: TestServer) => server.services.store as KyselyStore;

// ---------------------------------------------------------------------------------------------
// What a generated request looks like
// ---------------------------------------------------------------------------------------------

/** A request body as bytes on the wire, printed short in counterexamples. */
class Body {
  constructor(
    readonly bytes: Uint8Array<ArrayBuffer>,
    readonly label: string,
  ) {}
  static text(text: string, label = 'json'): Body {
    return new Body(new TextEncoder().encode(text), label);
  }
  [fc.toStringMethod](): string {
    const text = new TextDecoder().decode(this.bytes.subarray(0, 300));
    return `Body<${this.label}, ${this.bytes.length} bytes>(${JSON.stringify(text)}${this.bytes.length > 300 ? '…' : ''})`;
  }
}

/** A JSON number written verbatim (beyond what a JS number can say: 1e400, 2^53+1, -0). */
class RawNumber {
  constructor(readonly text: string) {}
  [fc.toStringMethod](): string {
    return this.text;
  }
}

/** A value nested `depth` levels deep, written verbatim. */
class Deep {
  constructor(
    readonly depth: number,
    readonly kind: 'array' | 'object',
  ) {}
  text(): string {
    return this.kind === 'array' ? `${'['.repeat(this.depth)}1${']'.repeat(this.depth)}` : `${'{"a":'.repeat(this.depth)}1${'}'.repeat(this.depth)}`;
  }
  [fc.toStringMethod](): string {
    return `Deep(${this.kind}, ${this.depth})`;
  }
}

function jsonText(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (value instanceof Deep) return value.text();
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

type Surface = 'billing' | 'admin' | 'platform' | 'org' | 'oauth' | 'testing';

interface Auth {
  header: string | undefined;
  /** Whether this credential may use the surface at all (a secret key / the admin token). */
  valid: boolean;
  label: string;
}

interface FuzzRequest {
  method: string;
  /** Path and query, percent-encoded as sent. */
  target: string;
  headers: Record<string, string>;
  body: Body | undefined;
  auth: Auth;
  /** An unknown route the caller may reach (authenticated for its surface, or outside every surface). */
  expect404?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const ref = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);
const freshRef = fc.uuid().map((u) => `FZ-${u}`);
const printable = (max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });
/** Header values a client can send: visible ASCII and Latin-1 (fetch refuses the rest). */
const headerText = (max: number) =>
  fc.string({ unit: fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0xa1, max: 0xff })).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: max });
const unicodeText = fc.string({ unit: 'grapheme', maxLength: 30 });
const withNul = fc.tuple(printable(10), printable(10)).map(([a, b]) => `${a}\u0000${b}`);
const longText = fc.integer({ min: 256, max: 3000 }).map((n) => 'x'.repeat(n));

const hugeNumber = fc.constantFrom('1e400', '-1e400', '9007199254740992', '9007199254740993', '-9007199254740993', '123456789012345678901234567890', '1.5', '-0', '1e-400', '0.1', '2e3').map((t) => new RawNumber(t));
const deep = fc.tuple(fc.integer({ min: 30, max: 40 }), fc.constantFrom('array' as const, 'object' as const)).map(([d, k]) => new Deep(d, k));

/** Values that break a field: wrong types, extremes, odd text, deep nesting. */
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, true, false, 0, -1, '', ' ', [], {}, [1, 2], { a: 1 }, '0', 'null', 'ZAR', 'bcus_x', 'bacc_x'),
  fc.integer(),
  fc.double(),
  hugeNumber,
  unicodeText,
  withNul,
  longText,
  deep,
);

const currency = fc.constantFrom('ZAR', 'JPY', 'KWD', 'USD', 'EUR');
/** Amounts, including the extremes JSON can carry exactly (a change between them overflows ±(2^53−1)). */
const amount = fc.oneof(
  { arbitrary: fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), weight: 4 },
  { arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, 0, 1, -1), weight: 1 },
);
const metadata = fc.dictionary(fc.stringMatching(/^[a-z_]{1,12}$/), fc.string({ maxLength: 20 }), { maxKeys: 3 });
const paymentRules = fc
  .tuple(fc.nat(10_000), fc.nat(10_000), fc.boolean(), fc.boolean())
  .map(([a, b, under, over]) => ({ min_amount: Math.min(a, b), max_amount: Math.max(a, b), underpayment_allowed: under, overpayment_allowed: over }));
const money = fc.option(fc.record({ balance: amount, currency }), { nil: undefined });

const holderFields = {
  name: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
  payment_rules: fc.option(paymentRules, { nil: null }),
  metadata,
};

const customerUpdate = fc
  .tuple(fc.record({ ...holderFields, email: fc.option(fc.emailAddress(), { nil: null }), phone: fc.constantFrom('+27123456789', '+14155550100', null) }, { requiredKeys: [] }), money)
  .map(([fields, m]) => ({ ...fields, ...m }));
const customerCreate = fc.tuple(customerUpdate, freshRef).map(([fields, external_reference]) => ({ ...fields, external_reference }));
const accountUpdate = fc.tuple(fc.record(holderFields, { requiredKeys: [] }), money).map(([fields, m]) => ({ ...fields, ...m }));
const calendarDate = fc.oneof(
  { arbitrary: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), weight: 4 },
  { arbitrary: fc.constantFrom('2026-02-30', '2026-13-01', '26-01-01', '2026-01-01T00:00:00Z', ''), weight: 1 },
);
const billUpdate = fc.record({ amount_paid: fc.oneof(fc.nat(5000), fc.constantFrom(Number.MAX_SAFE_INTEGER, -1)), due_date: fc.option(calendarDate, { nil: null }), payment_rules: fc.option(paymentRules, { nil: null }), metadata }, { requiredKeys: [] });

function mutated<T extends Record<string, unknown>>(valid: fc.Arbitrary<T>, fields: string[]): fc.Arbitrary<unknown> {
  const path = fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'balance.amount'));
  const mutation = fc.oneof(
    fc.record({ op: fc.constant('set' as const), path, value: nasty }),
    fc.record({ op: fc.constant('delete' as const), path: fc.constantFrom(...fields) }),
  );
  return fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([body, mutations]) => {
    const copy: Record<string, unknown> = structuredClone(body);
    for (const m of mutations) {
      const segments = m.path.split('.');
      let target: Record<string, unknown> = copy;
      for (const segment of segments.slice(0, -1)) {
        // Own properties only: a generated path like `__proto__.x` must not reach Object.prototype.
        const next = Object.hasOwn(target, segment) ? target[segment] : undefined;
        if (next === null || typeof next !== 'object' || Array.isArray(next)) Object.defineProperty(target, segment, { value: {}, enumerable: true, writable: true, configurable: true });
        target = target[segment] as Record<string, unknown>;
      }
      const last = segments.at(-1)!;
      if (m.op === 'delete') delete target[last];
      else Object.defineProperty(target, last, { value: m.value, enumerable: true, writable: true, configurable: true });
    }
    return copy;
  });
}

const PROTO_BODY = '{"__proto__":{"polluted":true},"external_reference":"x"}';

/** Byte sequences that are not UTF-8 (SPEC §9 "bytes are checked"): Latin-1, a lone continuation byte, an overlong NUL, a UTF-8-encoded surrogate, a cut sequence. */
const NOT_UTF8 = [[0xe9], [0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82]] as const;
/** A JSON object whose `name` (and a valid-looking rest) holds `bytes`. */
const bodyWithBytes = (bytes: readonly number[]) => new Body(Uint8Array.from([...new TextEncoder().encode('{"external_reference":"FZ-utf8","name":"a'), ...bytes, ...new TextEncoder().encode('b","currencyCode":"USD"}')]), `not UTF-8 ${bytes.map((b) => b.toString(16)).join(' ')}`);
/** `keys` keys in all (SPEC §9: more than 10,000 is 400), 100 to an object, in an array under one key. */
function manyKeysBody(keys: number): Body {
  const objects: string[] = [];
  for (let left = keys - 1; left > 0; left -= 100) objects.push(`{${Array.from({ length: Math.min(100, left) }, (_, i) => `"k${i}":${i}`).join(',')}}`);
  return Body.text(`{"a":[${objects.join(',')}]}`, `${keys} keys`);
}
const TOO_MANY_KEYS = manyKeysBody(10_001);
const specialBody = fc.oneof(
  fc.constantFrom('', 'null', '[]', '{}', '{', '{"a":1', 'true', '"text"', '1e400', '{"a":1}{"b":2}', PROTO_BODY, '{"constructor":{"prototype":{"polluted":true}}}', '\uFEFF{}').map((t) => Body.text(t, 'special')),
  fc.constantFrom(33, 5_000, 200_000).map((d) => Body.text(`${'['.repeat(d)}${']'.repeat(d)}`, `nested ${d}`)),
  fc.constant(new Body(Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 'invalid UTF-8')),
  fc.constantFrom(...NOT_UTF8).map(bodyWithBytes),
  fc.constant(TOO_MANY_KEYS),
  fc.constant(null).map(() => Body.text(`{"name":"${'a'.repeat(1024 * 1024 + 16)}"}`, 'over 1 MiB')),
  printable(200).map((t) => Body.text(t, 'text')),
);

function bodyOf(valid: fc.Arbitrary<Record<string, unknown>> | undefined, fields: string[]): fc.Arbitrary<Body | undefined> {
  const anyJson = fc.jsonValue({ maxDepth: 4 }).map((v) => Body.text(JSON.stringify(v) ?? 'null', 'random JSON'));
  if (!valid) return fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: anyJson, weight: 1 }, { arbitrary: specialBody, weight: 1 });
  return fc.oneof(
    { arbitrary: valid.map((v) => Body.text(jsonText(v), 'valid')), weight: 4 },
    { arbitrary: mutated(valid, fields).map((v) => Body.text(jsonText(v), 'mutated')), weight: 6 },
    { arbitrary: anyJson, weight: 1 },
    { arbitrary: specialBody, weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

/** A percent-encoded path segment: usually meaningful, sometimes hostile. */
function segment(known: () => string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant(null).chain(() => fc.constantFrom(...known())).map(encodeURIComponent), weight: 10 },
    { arbitrary: ref, weight: 2 },
    { arbitrary: fc.oneof(unicodeText.filter((s) => s.length > 0), withNul, longText, printable(40).filter((s) => s.length > 0)).map(encodeURIComponent), weight: 2 },
    { arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%80', '%00', 'bacc_', 'bcus_', '%20', 'a%2Fb', '..%2F..', '*'), weight: 1 },
  );
}

const QUERY_NAMES = ['limit', 'starting_after', 'ending_before', 'created[gte]', 'created[lte]', 'customer_id', 'account_id', 'external_reference', 'email', 'status', 'endpoint_id', 'event_id', 'pageSize', 'pageToken', 'credit', 'dateRange.from', 'dateRange.to', 'q', 'cursor', 'currency', 'surface', 'mode', 'type', 'object_id', 'after', 'to', 'wait_ms'];

/** `names` and `values`: a route's own query parameters and telling values, beside everyone's. */
function query(known: () => string[], own: { names: readonly string[]; values: readonly string[] } = { names: [], values: [] }): fc.Arbitrary<string> {
  const value = fc.oneof(
    { arbitrary: fc.constant(null).chain(() => fc.constantFrom(...known())), weight: 3 },
    ...(own.values.length > 0 ? [{ arbitrary: fc.constantFrom(...own.values), weight: 3 }] : []),
    { arbitrary: fc.integer({ min: -5, max: 200 }).map(String), weight: 3 },
    { arbitrary: fc.constantFrom('0', '101', '1e3', '9007199254740993', '-1', '', 'true', 'null', '2026-01-01T00:00:00.000Z', '2026-02-30', '1767225600', 'pending', 'failed', 'succeeded', 'paid', 'unpaid'), weight: 2 },
    { arbitrary: fc.date({ noInvalidDate: true, min: new Date(0), max: new Date('2100-01-01') }).map((d) => d.toISOString()), weight: 1 },
    { arbitrary: fc.oneof(unicodeText, withNul, longText, printable(30)), weight: 2 },
  );
  const name = fc.oneof({ arbitrary: fc.constantFrom(...QUERY_NAMES), weight: 5 }, ...(own.names.length > 0 ? [{ arbitrary: fc.constantFrom(...own.names), weight: 5 }] : []), { arbitrary: printable(12), weight: 1 });
  const pair = fc.oneof(
    { arbitrary: fc.tuple(name, value).map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`), weight: 8 },
    { arbitrary: fc.constantFrom('limit=%', 'limit=%zz', 'email=%00', 'a', '=', '&&', 'limit[]=1', 'limit[a]=1', 'created%5Bgte%5D=0'), weight: 1 },
  );
  return fc.array(pair, { maxLength: 4 }).map((pairs) => (pairs.length > 0 ? `?${pairs.join('&')}` : ''));
}

/** GET /transactions's own parameters and values that pass its checks (SPEC §4b). */
const TRANSACTION_QUERY = {
  names: ['types', 'statuses', 'channel_categories', 'reference_id', 'product_id', 'account_identifier', 'amount', 'after_id', 'before_id', 'updated[gte]', 'updated[lte]'],
  values: ['TRANSFER', 'TOPUP,TRANSFER', 'PAYMENT', 'SUCCESS', 'PENDING', 'XENPLATFORM', 'BANK', '10', '12.5', 'SEED-TRF', 'txn_000000000000000000000'],
};

const AS_OF_QUERY = {
  names: ['as_of'],
  values: ['2026-12-07T00:00:00Z', '2026-12-07T10:00:00.123+07:00', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-02-30T00:00:00Z', 'yesterday', '', '1733500000'],
};

const VERIFY_QUERY = { names: ['mode'], values: ['test', 'live', 'both', '', 'TEST'] };

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/problem+json', 'application/vnd.api+json', 'application/octet-stream', ';', 'json'];

const BAD_IDEMPOTENCY_KEYS = ['', ' ', 'has space', 'ünïcödé', 'a/b', 'k'.repeat(256), 'key_with_underscore', '../../x'];

// ---------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------

interface Snapshot {
  counts: Record<string, number>;
  /** Committed changes per watched table (change-counters.ts). */
  changes: Record<string, number>;
}

interface RouteSpec {
  surface: Surface;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI-style template: `/billing/accounts/{account}`. */
  template: string;
  params?: Record<string, () => string[]>;
  /** The route's own query parameters and values, fuzzed beside everyone's (QUERY_NAMES). */
  query?: { names: readonly string[]; values: readonly string[] };
  body?: fc.Arbitrary<Record<string, unknown>>;
  fields?: string[];
}

for (const kind of await storeKinds()) {
  describe(`property-based fuzzing of every route (${kind})`, () => {
    let server: TestServer;
    let tenantB: CreatedTenant;
    /** Whose test mode the testing API's fuzzed requests reset, restore and move in time (not A's: its objects are the other routes' seeds). */
    let testingTenant: CreatedTenant;
    let adminTarget: { id: string; keys: Record<string, Record<string, string>> };
    const pools = {
      customers: [] as string[],
      accounts: [] as string[],
      bills: [] as string[],
      /** The testing API's target tenant's obligations a payment names, by kind (they have payment rules). */
      payable: { bill: [] as string[], account: [] as string[], customer: [] as string[] },
      ledgerEntries: [] as string[],
      tenants: [] as string[],
      keyIds: [] as string[],
      /** The admin target's keys for rotation (each rotation revokes one; the DELETE route may revoke keyIds'). */
      rotatableKeyIds: [] as string[],
      endpointIds: [] as string[],
      deliveryIds: [] as string[],
      eventIds: [] as string[],
      subAccounts: [] as string[],
      transferRefs: [] as string[],
      /** Tenant A's platform transactions (GET /transactions/{id}). */
      transactionIds: [] as string[],
      /** Tenant A's account that only transfers name (no fuzzed status move can suspend it). */
      transferDestinations: [] as string[],
      orgAccounts: [] as string[],
      oauthClientIds: [] as string[],
      /** Snapshots of the testing API's target tenant, and one of tenant A's (another tenant's: 404). */
      snapshotIds: [] as string[],
      /** Faults of the testing API's target tenant, and one of tenant A's on a path nothing requests (another tenant's: 404). */
      faultIds: [] as string[],
    };
    let auths: Record<Surface, fc.Arbitrary<Auth>>;
    /** A client id and secret of tenant A (test mode), for the token endpoint's valid bodies. */
    let orgCredentials: { client_id: string; client_secret: string };

    before(async () => {
      // Listening: fuzzed requests go through Node's HTTP parser, as a client's would.
      server = await build(kind, { listen: true });
      // Throttling off: hundreds of fuzzed wrong admin tokens would otherwise throttle the valid
      // ones to 429, and its reads would spend this suite's time budget on one address. It has its
      // own tests (test/admin/auth-throttle.test.ts, auth-hardening.reliability.ts).
      server.services.authThrottle.check = async () => {};
      server.services.authThrottle.recordFailure = async () => {};
      await installChangeCounters(storeOf(server).db, kind, WATCHED);
      tenantB = await server.createTenant('other');
      testingTenant = await server.createTenant('testing target');
      const a = server.tenant;
      const api = client(server.baseUrl, a.keys.test.secret);
      const admin = client(server.baseUrl, ADMIN_TOKEN);

      // Objects the generators can name: tenant A's (test mode), tenant B's, and the admin API's.
      for (const [owner, key] of [[api, 'a'], [client(server.baseUrl, tenantB.keys.test.secret), 'b']] as const) {
        const customer = await owner.post('/billing/customers', { external_reference: `SEED-CUS-${key}`, email: `seed-${key}@example.com`, currency: 'ZAR', balance: 100 });
        assert.equal(customer.status, 201, customer.text);
        const account = await owner.post('/billing/accounts', { customer: customer.body.id, external_reference: `SEED-ACC-${key}`, currency: 'ZAR', balance: 250 });
        assert.equal(account.status, 201, account.text);
        const beforePatch = await snapshot();
        const changed = await owner.patch(`/billing/accounts/${account.body.id}`, { balance: 300, currency: 'ZAR' });
        assert.equal(changed.status, 200, changed.text);
        // The counters see a change in place (not only inserts): what the checks below rely on.
        const afterPatch = await snapshot();
        assert.ok(afterPatch.changes.accounts! > beforePatch.changes.accounts! && afterPatch.changes.balances! > beforePatch.changes.balances!, JSON.stringify({ beforePatch, afterPatch }));
        const ledger = await owner.get(`/billing/accounts/${account.body.id}/ledger_entries`);
        const bill = await owner.post('/billing/bills', { account: account.body.id, external_reference: `SEED-BILL-${key}`, currency: 'ZAR', amount_due: 5000, payment_rules: { min_amount: 1, max_amount: 10_000, underpayment_allowed: true, overpayment_allowed: true } });
        assert.equal(bill.status, 201, bill.text);
        pools.customers.push(customer.body.id, customer.body.external_reference);
        pools.accounts.push(account.body.id, account.body.external_reference);
        pools.bills.push(bill.body.id, bill.body.external_reference);
        pools.ledgerEntries.push(...ledger.body.data.map((e: { id: string }) => e.id));
      }

      const created = await admin.post('/admin/v1/tenants', { name: 'fuzz-admin-target', country: 'ZA' });
      assert.equal(created.status, 201, created.text);
      adminTarget = created.body;
      const spare = await admin.post(`/admin/v1/tenants/${adminTarget.id}/keys`, { mode: 'test', type: 'secret' });
      assert.equal(spare.status, 201, spare.text);
      // Two endpoints: the fuzzed DELETE may remove the spare one; the kept one's deliveries stay re-sendable.
      const endpoint = await admin.post(`/admin/v1/tenants/${adminTarget.id}/webhook-endpoints`, { url: 'http://127.0.0.1:9/spare', mode: 'test', events: ['*'] });
      assert.equal(endpoint.status, 201, endpoint.text);
      const kept = await admin.post(`/admin/v1/tenants/${adminTarget.id}/webhook-endpoints`, { url: 'http://127.0.0.1:9/kept', mode: 'test', events: ['billing.*'] });
      assert.equal(kept.status, 201, kept.text);
      const targetApi = client(server.baseUrl, adminTarget.keys.test!.secret!);
      const targetAccount = await targetApi.post('/billing/accounts', { customer: { external_reference: 'T-CUS' }, external_reference: 'T-ACC' });
      assert.equal(targetAccount.status, 201, targetAccount.text);
      await storeOf(server).outbox.fanOut(100, nowIso(), endpointAccepts, () => newId('whd'));
      const deliveries = await admin.get(`/admin/v1/tenants/${adminTarget.id}/webhook-deliveries`);
      assert.ok(deliveries.body.data.some((d: { endpoint_id: string }) => d.endpoint_id === kept.body.id), deliveries.text);
      // The admin target owns the pooled key, endpoint and delivery: named most often.
      pools.tenants.push(adminTarget.id, adminTarget.id, adminTarget.id, a.tenant.id, tenantB.tenant.id);
      pools.keyIds.push(spare.body.id);
      for (let i = 0; i < 12; i += 1) {
        const rotatable = await admin.post(`/admin/v1/tenants/${adminTarget.id}/keys`, { mode: i % 2 ? 'live' : 'test', type: 'publishable' });
        assert.equal(rotatable.status, 201, rotatable.text);
        pools.rotatableKeyIds.push(rotatable.body.id);
      }
      pools.endpointIds.push(endpoint.body.id);
      pools.deliveryIds.push(...deliveries.body.data.map((d: { id: string }) => d.id));
      pools.eventIds.push(...deliveries.body.data.map((d: { event_id: string }) => d.event_id));

      // Platform sub-accounts of tenants A and B, A's platform balance, a transfer to name by reference.
      for (const owner of [api, client(server.baseUrl, tenantB.keys.test.secret)]) {
        for (const type of ['OWNED', 'MANAGED']) {
          const sub = await owner.post('/v2/accounts', { email: `seed-${type.toLowerCase()}@example.com`, type, public_profile: { business_name: 'Seed shop' } });
          assert.equal(sub.status, 200, sub.text);
          pools.subAccounts.push(sub.body.id);
        }
      }
      const destination = await api.post('/v2/accounts', { email: 'seed-destination@example.com', type: 'OWNED', public_profile: { business_name: 'Seed destination' } });
      assert.equal(destination.status, 200, destination.text);
      pools.transferDestinations.push(destination.body.id);
      assert.equal((await api.post('/balance/test/topup', { amount: 1_000_000_000, currency: 'IDR' })).status, 200);
      const seeded = await api.post('/transfers', { reference: 'SEED-TRF', amount: 10, source_user_id: a.tenant.id, destination_user_id: pools.subAccounts[0] });
      assert.equal(seeded.status, 200, seeded.text);
      pools.transferRefs.push('SEED-TRF');
      const transactions = await client(server.baseUrl, a.keys.test.secret).get('/transactions?limit=50');
      assert.equal(transactions.status, 200, transactions.text);
      pools.transactionIds.push(...transactions.body.data.map((t: { id: string }) => t.id));

      // A revoked key of tenant A (403 on billing).
      const revoked = await admin.post(`/admin/v1/tenants/${a.tenant.id}/keys`, { mode: 'test', type: 'secret' });
      assert.equal((await admin.delete(`/admin/v1/tenants/${a.tenant.id}/keys/${revoked.body.id}`)).status, 200);

      // The org surface: OAuth clients and tokens of three scopes, accounts with a transaction each.
      const orgTokenOf = async (tenantId: string, mode: Mode, roles: readonly string[] = ORG_ROLES) => {
        const { client: c, secret } = await storeOf(server).transaction((tx) => createOAuthClient(tx, tenantId, { name: 'fuzz', mode, roles }, nowIso()));
        const answer = await call(server.baseUrl, 'POST', '/oauth2/token', undefined, { rawBody: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.id, client_secret: secret }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assert.equal(answer.status, 200, answer.text);
        return { token: answer.body.access_token as string, clientId: c.id, secret };
      };
      const orgA = await orgTokenOf(a.tenant.id, 'test');
      orgCredentials = { client_id: orgA.clientId, client_secret: orgA.secret };
      const orgTokens = [orgA.token, (await orgTokenOf(a.tenant.id, 'live')).token, (await orgTokenOf(tenantB.tenant.id, 'test')).token];
      const readOnlyToken = (await orgTokenOf(a.tenant.id, 'test', ['accounts.read'])).token;
      for (const token of [orgTokens[0]!, orgTokens[2]!]) {
        const org = { authorization: `Bearer ${token}` };
        const created = await call(server.baseUrl, 'POST', '/v1/accounts', { name: `seed ${token.slice(-12)}`, currencyCode: 'USD', lowBalance: { hasNotification: true, notificationEmail: 'low@example.com', threshold: { currencyCode: 'USD', units: '5', nanos: 0 } } }, { headers: org });
        assert.equal(created.status, 200, created.text);
        const id = created.body.account.accountId as string;
        const topup = await call(server.baseUrl, 'POST', `/v1/accounts/${id}/transactions`, { amount: { currencyCode: 'USD', units: '10', nanos: 0 }, topup: { paymentType: 'API' } }, { headers: org });
        assert.equal(topup.status, 200, topup.text);
        // Tenant A's account twice: the generators name it more often than B's (whose names are 404s to A's token).
        pools.orgAccounts.push(id, ...(token === orgTokens[0] ? [id] : []));
      }
      const spareClient = await admin.post(`/admin/v1/tenants/${adminTarget.id}/oauth-clients`, { name: 'spare', mode: 'test', roles: ['accounts.read'] });
      assert.equal(spareClient.status, 201, spareClient.text);
      // Only the spare one: a fuzzed revocation of tenant A's client would end the token endpoint's valid requests.
      pools.oauthClientIds.push(spareClient.body.client_id);

      // The testing API's target: a customer to reset and restore, a snapshot of it; and a snapshot of tenant A's (another tenant's).
      const target = client(server.baseUrl, testingTenant.keys.test.secret);
      assert.equal((await target.post('/billing/customers', { external_reference: 'SEED-TESTING', currency: 'ZAR', balance: 5 })).status, 201);
      // Obligations a payment may pay (generous or strict rules), of the target and of tenant A (another tenant's: 400).
      for (const [index, rules] of [{ min_amount: 1, max_amount: 100_000, underpayment_allowed: true, overpayment_allowed: true }, { min_amount: 10, max_amount: 1000, underpayment_allowed: false, overpayment_allowed: false }].entries()) {
        const customer = await target.post('/billing/customers', { external_reference: `PAY-CUS-${index}`, currency: 'ZAR', balance: 1000, payment_rules: rules });
        const account = await target.post('/billing/accounts', { customer: customer.body.id, external_reference: `PAY-ACC-${index}`, currency: 'ZAR', balance: 1000, payment_rules: rules });
        const bill = await target.post('/billing/bills', { account: account.body.id, external_reference: `PAY-BILL-${index}`, currency: 'ZAR', amount_due: 1000, payment_rules: rules });
        for (const created of [customer, account, bill]) assert.equal(created.status, 201, created.text);
        pools.payable.customer.push(customer.body.id, customer.body.external_reference);
        pools.payable.account.push(account.body.external_reference);
        pools.payable.bill.push(bill.body.id, bill.body.external_reference);
      }
      pools.payable.bill.push(pools.bills[0]!);
      pools.payable.account.push(pools.accounts[0]!);
      for (const owner of [target, target, api]) {
        const snapshot = await owner.post('/testing/v1/snapshots', { name: 'seed' });
        assert.equal(snapshot.status, 201, snapshot.text);
        pools.snapshotIds.push(snapshot.body.id);
      }
      // Faults only ever take requests of their own tenant: the target makes no vendor request
      // while fuzzing, and tenant A's fault names a path and method nothing sends.
      for (const [owner, path] of [[target, '/billing/customers'], [target, '/v2/accounts/*'], [api, '/billing/fuzz-never-requested']] as const) {
        const fault = await owner.post('/testing/v1/faults', { method: 'DELETE', path, status: 418, times: 1000 });
        assert.equal(fault.status, 201, fault.text);
        pools.faultIds.push(fault.body.id);
      }

      const secretKeys = [a.keys.test.secret, a.keys.live.secret, tenantB.keys.test.secret];
      const common = [
        { header: undefined, valid: false, label: 'none' },
        { header: '', valid: false, label: 'empty' },
        { header: 'Bearer', valid: false, label: 'scheme only' },
        { header: `Basic ${Buffer.from(`${a.keys.test.secret}:`).toString('base64')}`, valid: false, label: 'basic' },
        { header: a.keys.test.secret, valid: false, label: 'no scheme' },
        { header: `Bearer ${a.keys.test.publishable}`, valid: false, label: 'publishable' },
        { header: `Bearer ${revoked.body.key}`, valid: false, label: 'revoked' },
        { header: `Bearer sk_test_${'0'.repeat(32)}`, valid: false, label: 'unknown key' },
        { header: `Bearer ${'A'.repeat(8000)}`, valid: false, label: 'long token' },
      ];
      const random = headerText(60).map((t) => ({ header: `Bearer ${t}`, valid: false, label: 'random token' }));
      auths = {
        billing: fc.oneof(
          { arbitrary: fc.constant({ header: `Bearer ${a.keys.test.secret}`, valid: true, label: 'A test secret' }), weight: 12 },
          { arbitrary: fc.constantFrom(...secretKeys).map((k) => ({ header: `bearer   ${k} `, valid: true, label: 'secret key, odd spacing' })), weight: 2 },
          { arbitrary: fc.constantFrom(...secretKeys.slice(1)).map((k) => ({ header: `Bearer ${k}`, valid: true, label: 'another scope' })), weight: 2 },
          { arbitrary: fc.constantFrom(...common, { header: `Bearer ${ADMIN_TOKEN}`, valid: false, label: 'admin token' }), weight: 3 },
          { arbitrary: random, weight: 1 },
        ),
        platform: fc.oneof(
          { arbitrary: fc.constant({ header: `Basic ${Buffer.from(`${a.keys.test.secret}:`).toString('base64')}`, valid: true, label: 'A test secret, Basic' }), weight: 10 },
          { arbitrary: fc.constant({ header: `Bearer ${a.keys.test.secret}`, valid: true, label: 'A test secret, Bearer' }), weight: 2 },
          { arbitrary: fc.constantFrom(...secretKeys.slice(1)).map((k) => ({ header: `Basic ${Buffer.from(`${k}:`).toString('base64')}`, valid: true, label: 'another scope' })), weight: 2 },
          { arbitrary: fc.constantFrom(...common.filter((c) => c.label !== 'basic'), { header: `Basic ${Buffer.from(`${a.keys.test.publishable}:`).toString('base64')}`, valid: false, label: 'publishable, Basic' }, { header: 'Basic %%%', valid: false, label: 'Basic garbage' }), weight: 3 },
          { arbitrary: random, weight: 1 },
        ),
        admin: fc.oneof(
          { arbitrary: fc.constant({ header: `Bearer ${ADMIN_TOKEN}`, valid: true, label: 'admin token' }), weight: 12 },
          { arbitrary: fc.constantFrom(...common, { header: `Bearer ${a.keys.test.secret}`, valid: false, label: 'billing key' }, { header: `Bearer ${ADMIN_TOKEN}x`, valid: false, label: 'admin token + x' }), weight: 4 },
          { arbitrary: random, weight: 1 },
        ),
        org: fc.oneof(
          { arbitrary: fc.constant({ header: `Bearer ${orgA.token}`, valid: true, label: 'org token' }), weight: 12 },
          { arbitrary: fc.constantFrom(...orgTokens.slice(1)).map((t) => ({ header: `Bearer ${t}`, valid: true, label: 'org token, another scope' })), weight: 2 },
          { arbitrary: fc.constantFrom(...common, { header: `Bearer ${readOnlyToken}`, valid: false, label: 'org token, read only' }, { header: `Bearer ${orgA.token.slice(0, -3)}abc`, valid: false, label: 'org token, bad signature' }, { header: `Bearer ${a.keys.test.secret}`, valid: false, label: 'billing key' }), weight: 3 },
          { arbitrary: random, weight: 1 },
        ),
        testing: fc.oneof(
          { arbitrary: fc.constant({ header: `Bearer ${testingTenant.keys.test.secret}`, valid: true, label: 'target test secret' }), weight: 10 },
          { arbitrary: fc.constant({ header: `Basic ${Buffer.from(`${testingTenant.keys.test.secret}:`).toString('base64')}`, valid: true, label: 'target test secret, Basic' }), weight: 2 },
          {
            arbitrary: fc.constantFrom(
              ...common.filter((c) => c.label !== 'basic'),
              { header: `Bearer ${testingTenant.keys.live.secret}`, valid: false, label: 'live secret' },
              { header: `Bearer ${orgTokens[1]!}`, valid: false, label: 'live org token' },
              { header: `Bearer ${ADMIN_TOKEN}`, valid: false, label: 'admin token' },
            ),
            weight: 3,
          },
          { arbitrary: random, weight: 1 },
        ),
        // Open routes: whatever the Authorization header, the body decides (the token endpoint's client credentials).
        oauth: fc.constantFrom(...common.slice(0, 2), { header: `Bearer ${orgA.token}`, valid: true, label: 'org token' }).map((auth) => ({ ...auth, valid: true })),
      };
    });
    after(() => server.close());

    const billingRefs = () => [...pools.customers, ...pools.accounts, ...pools.ledgerEntries, ...pools.bills];
    const adminRefs = () => [...pools.tenants, ...pools.keyIds, ...pools.endpointIds, ...pools.deliveryIds, ...pools.eventIds, ...pools.oauthClientIds];
    const platformRefs = () => [...pools.subAccounts, ...pools.transferRefs, ...pools.transactionIds, ...pools.tenants];

    // Any status may move to SUSPENDED (or stay there): weighted so that status moves get past the lifecycle often.
    const xenditStatus = fc.oneof(
      { arbitrary: fc.constant('SUSPENDED'), weight: 3 },
      { arbitrary: fc.constantFrom('INVITED', 'REGISTERED', 'AWAITING_DOCS', 'PENDING_VERIFICATION', 'LIVE', 'SUSPENDED'), weight: 2 },
    );
    const xenditAmount = fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(0.5, 0, -1, 1.25)).map((n) => n);
    const platformAccountCreate = fc
      .tuple(fc.emailAddress(), fc.constantFrom('OWNED', 'MANAGED'), fc.string({ minLength: 1, maxLength: 40 }))
      .map(([email, type, business_name]) => ({ email, type, public_profile: { business_name } }) as Record<string, unknown>);
    const transferCreate = fc
      .tuple(freshRef, xenditAmount, fc.constant(null).chain(() => fc.constantFrom(...pools.transferDestinations, ...pools.transferDestinations, ...pools.transferDestinations, ...pools.subAccounts)))
      .map(([reference, amount, destination]) => ({ reference, amount, source_user_id: server.tenant.tenant.id, destination_user_id: destination }) as Record<string, unknown>);
    const orgRefs = () => [...pools.orgAccounts, ...pools.ledgerEntries];
    /** A fault's path: exact, or with `*` for whole segments (the target tenant sends no vendor request while fuzzing). */
    const faultPath = fc.constantFrom('/billing/customers', '/v2/accounts/*', '/v1/accounts/*/transactions', '/transfers');
    const refsOf: Record<Surface, () => string[]> = { billing: billingRefs, admin: adminRefs, platform: platformRefs, org: orgRefs, oauth: orgRefs, testing: () => [...pools.snapshotIds, ...pools.faultIds, ...pools.eventIds] };

    // The org surface's bodies (google.type.Money, BidZenith's accounts and transactions).
    // Mostly well-formed (non-negative units with non-negative nanos, or the reverse): the mutations break them.
    const orgMoney = fc.oneof(
      { arbitrary: fc.record({ currencyCode: fc.constant('USD'), units: fc.integer({ min: 0, max: 20 }).map(String), nanos: fc.integer({ min: 0, max: 999_999_999 }) }), weight: 3 },
      { arbitrary: fc.record({ currencyCode: fc.constant('USD'), units: fc.integer({ min: -20, max: 0 }), nanos: fc.integer({ min: -999_999_999, max: 0 }) }), weight: 2 },
      {
        arbitrary: fc.record(
          { currencyCode: fc.constantFrom('USD', 'EUR', 'XYZ'), units: fc.oneof(fc.integer({ min: -20, max: 20 }).map(String), fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775808', '1.5', '')), nanos: fc.oneof(fc.integer({ min: -999_999_999, max: 999_999_999 }), fc.constantFrom(1_000_000_000)) },
          { requiredKeys: ['currencyCode'] },
        ),
        weight: 1,
      },
    );
    const lowBalance = fc.record({ hasNotification: fc.boolean(), notificationEmail: fc.constantFrom('low@example.com', 'low@example.com', 'not-an-email'), threshold: orgMoney });
    const orgAccountFields = { name: fc.tuple(fc.string({ maxLength: 20 }), fc.uuid()).map(([n, u]) => `${n} ${u.slice(0, 8)}`), description: fc.string({ maxLength: 30 }), lowBalance };
    const orgAccountCreate = fc.record({ ...orgAccountFields, currencyCode: fc.constantFrom('USD', 'USD', 'EUR', 'usd') }, { requiredKeys: ['name', 'currencyCode'] });
    // Tenant A's account in the path and the body: a PUT succeeds only when both name the same one (B's is a 404 to A's token, and other routes name it).
    const tenantAAccount = () => pools.orgAccounts.slice(0, 1);
    /** Any surface's holder (the operator console's account routes take them all). */
    const anyHolder = () => [...pools.customers, ...pools.accounts, ...pools.subAccounts, ...pools.orgAccounts];
    const orgAccountReplace = fc.tuple(fc.record(orgAccountFields, { requiredKeys: ['name'] }), fc.constant(null).chain(() => fc.constantFrom(...tenantAAccount()))).map(([fields, accountId]) => ({ ...fields, accountId }) as Record<string, unknown>);
    const orgTransaction = fc.tuple(
      orgMoney,
      fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      fc.oneof(
        fc.record({ topup: fc.record({ reference: fc.string({ maxLength: 20 }), paymentType: fc.constantFrom('API', 'PAYPAL', 'BACS', 'CASH') }, { requiredKeys: ['paymentType'] }) }),
        fc.record({ adjustment: fc.record({ reason: fc.string({ maxLength: 20 }) }, { requiredKeys: [] }) }),
        fc.record({ dataInstance: fc.record({ dataInstanceId: fc.string({ minLength: 1, maxLength: 20 }) }) }),
      ),
    ).map(([amount, description, kind]) => ({ amount, ...(description === undefined ? {} : { description }), ...kind }) as Record<string, unknown>);
    // Lazy: the seeded client exists once `before` has run.
    const tokenRequest = fc.constant(null).chain(() =>
      fc.record(
        { grant_type: fc.constantFrom('client_credentials', 'client_credentials', 'password', ''), client_id: fc.constantFrom(orgCredentials.client_id, orgCredentials.client_id, 'oac_0000000000000000000000', ''), client_secret: fc.constantFrom(orgCredentials.client_secret, orgCredentials.client_secret, 'wrong'), scope: fc.constantFrom('accounts.read', 'accounts.read transactions.write', 'admin', '') },
        { requiredKeys: ['grant_type'] },
      ),
    ) as fc.Arbitrary<Record<string, unknown>>;

    // A bill of a pooled customer or account: mostly tenant A's account (B's are unknown to A's key), sometimes both, or neither.
    const billHolder = fc.constant(null).chain(() =>
      fc.oneof(
        { arbitrary: fc.constantFrom(...pools.accounts.slice(0, 2)).map((account) => ({ account })), weight: 4 },
        { arbitrary: fc.constantFrom(...pools.customers.slice(0, 2)).map((customer) => ({ customer })), weight: 2 },
        { arbitrary: fc.record({ account: fc.constantFrom(...pools.accounts), customer: fc.constantFrom(...pools.customers) }, { requiredKeys: [] }), weight: 1 },
      ),
    );
    // Mostly no dates or a due date after the bill date; sometimes any two.
    const billDates = fc.oneof(
      { arbitrary: fc.constant({}), weight: 2 },
      { arbitrary: fc.tuple(calendarDate, fc.nat(90)).map(([day, later]) => (day.length === 10 && !Number.isNaN(Date.parse(day)) ? { bill_date: day, due_date: new Date(Date.parse(day) + later * 86_400_000).toISOString().slice(0, 10) } : { bill_date: day })), weight: 2 },
      { arbitrary: fc.record({ bill_date: calendarDate, due_date: fc.option(calendarDate, { nil: null }) }, { requiredKeys: [] }), weight: 1 },
    );
    const billCreate = fc
      .tuple(
        fc.record({ currency: fc.oneof({ arbitrary: fc.constant('ZAR'), weight: 4 }, { arbitrary: currency, weight: 1 }), amount_due: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 1_000_000 }), weight: 4 }, { arbitrary: fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER), weight: 1 }), payment_rules: fc.option(paymentRules, { nil: null }), metadata }, { requiredKeys: ['currency', 'amount_due'] }),
        freshRef,
        billHolder,
        billDates,
      )
      .map(([fields, external_reference, holder, dates]) => ({ ...fields, external_reference, ...holder, ...dates }) as Record<string, unknown>);
    // Exactly one obligation (mostly): a payment of the testing target's customer, account or bill.
    const paymentCreate = fc.constant(null).chain(() =>
      fc
        .tuple(
          fc.constantFrom('bill' as const, 'account' as const, 'customer' as const),
          fc.oneof({ arbitrary: fc.integer({ min: 1, max: 1500 }), weight: 4 }, { arbitrary: fc.constantFrom(0, -5, Number.MAX_SAFE_INTEGER), weight: 1 }),
          fc.constantFrom('ZAR', 'ZAR', 'ZAR', 'USD'),
        )
        .chain(([type, amount, currency]) => fc.constantFrom(...pools.payable[type]).map((reference) => ({ [type]: reference, amount, currency }) as Record<string, unknown>)),
    );

    const accountCreate = fc
      .tuple(accountUpdate, freshRef, fc.oneof(fc.constant(null).chain(() => fc.constantFrom(...pools.customers)), customerCreate))
      .map(([fields, external_reference, customer]) => ({ ...fields, external_reference, customer }) as Record<string, unknown>);

    const ROUTES: RouteSpec[] = [
      { surface: 'billing', method: 'POST', template: '/billing/customers', body: customerCreate, fields: ['external_reference', 'name', 'email', 'phone', 'currency', 'balance', 'payment_rules', 'metadata', 'payment_rules.min_amount', 'metadata.key'] },
      { surface: 'billing', method: 'GET', template: '/billing/customers' },
      { surface: 'billing', method: 'GET', template: '/billing/customers/{customer}', params: { customer: () => pools.customers } },
      { surface: 'billing', method: 'PATCH', template: '/billing/customers/{customer}', params: { customer: () => pools.customers }, body: customerUpdate, fields: ['name', 'email', 'phone', 'currency', 'balance', 'payment_rules', 'metadata', 'payment_rules.max_amount', 'metadata.key'] },
      { surface: 'billing', method: 'POST', template: '/billing/accounts', body: accountCreate, fields: ['customer', 'external_reference', 'name', 'currency', 'balance', 'payment_rules', 'metadata', 'customer.external_reference', 'customer.balance', 'payment_rules.underpayment_allowed'] },
      { surface: 'billing', method: 'GET', template: '/billing/accounts' },
      { surface: 'billing', method: 'GET', template: '/billing/accounts/{account}', params: { account: () => pools.accounts } },
      { surface: 'billing', method: 'PATCH', template: '/billing/accounts/{account}', params: { account: () => pools.accounts }, body: accountUpdate, fields: ['name', 'currency', 'balance', 'payment_rules', 'metadata', 'metadata.key'] },
      { surface: 'billing', method: 'GET', template: '/billing/accounts/{account}/ledger_entries', params: { account: () => pools.accounts } },
      { surface: 'platform', method: 'POST', template: '/v2/accounts', body: platformAccountCreate, fields: ['email', 'type', 'public_profile', 'public_profile.business_name', 'configurations', 'configurations.has_dashboard'] },
      { surface: 'platform', method: 'GET', template: '/v2/accounts' },
      { surface: 'platform', method: 'GET', template: '/v2/accounts/{id}', params: { id: () => pools.subAccounts } },
      { surface: 'platform', method: 'PATCH', template: '/v2/accounts/{id}', params: { id: () => pools.subAccounts }, body: fc.record({ email: fc.emailAddress(), public_profile: fc.record({ business_name: fc.string({ minLength: 1, maxLength: 40 }), description: fc.string({ maxLength: 40 }) }, { requiredKeys: [] }) }, { requiredKeys: [] }), fields: ['email', 'public_profile', 'public_profile.business_name'] },
      { surface: 'platform', method: 'POST', template: '/v2/accounts/{id}/test/status', params: { id: () => [...Array(3).fill(pools.subAccounts.slice(0, 2)).flat(), ...pools.subAccounts] }, body: fc.record({ status: xenditStatus }), fields: ['status'] },
      { surface: 'platform', method: 'GET', template: '/balance', query: { names: ['account_type', 'at_timestamp'], values: ['CASH', 'HOLDING', 'TAX', 'SAVINGS', '2026-01-01T00:00:00+07:00'] } },
      { surface: 'platform', method: 'POST', template: '/balance/test/topup', body: fc.record({ amount: xenditAmount, currency: fc.constantFrom('IDR', 'PHP', 'XXX') }, { requiredKeys: ['amount'] }), fields: ['amount', 'currency'] },
      { surface: 'platform', method: 'POST', template: '/transfers', body: transferCreate, fields: ['reference', 'amount', 'source_user_id', 'destination_user_id', 'currency'] },
      { surface: 'platform', method: 'GET', template: '/transfers/reference={reference}', params: { reference: () => pools.transferRefs } },
      { surface: 'admin', method: 'POST', template: '/admin/v1/tenants/{tenantId}/platform-accounts/{accountId}/status', params: { tenantId: () => [...Array(4).fill(server.tenant.tenant.id), ...pools.tenants], accountId: () => [...pools.subAccounts.slice(0, 2), ...pools.subAccounts.slice(0, 2), ...pools.subAccounts] }, body: fc.record({ status: xenditStatus, mode: fc.constantFrom('test', 'test', 'live') }, { requiredKeys: ['status'] }), fields: ['status', 'mode'] },
      { surface: 'admin', method: 'POST', template: '/admin/v1/tenants', body: fc.record({ name: fc.string({ minLength: 1, maxLength: 30 }), country: fc.constantFrom('ID', 'PH', 'ZA', 'VN') }, { requiredKeys: ['name'] }), fields: ['name', 'country'] },
      { surface: 'admin', method: 'GET', template: '/admin/v1/tenants' },
      { surface: 'admin', method: 'GET', template: '/admin/v1/tenants/{tenantId}', params: { tenantId: () => pools.tenants } },
      { surface: 'admin', method: 'GET', template: '/admin/v1/tenants/{tenantId}/keys', params: { tenantId: () => pools.tenants } },
      { surface: 'admin', method: 'POST', template: '/admin/v1/tenants/{tenantId}/keys', params: { tenantId: () => pools.tenants }, body: fc.record({ mode: fc.constantFrom('test', 'live'), type: fc.constantFrom('secret', 'publishable'), format: fc.constantFrom('subledger', 'xendit') }, { requiredKeys: ['mode', 'type'] }), fields: ['mode', 'type', 'format'] },
      { surface: 'admin', method: 'DELETE', template: '/admin/v1/tenants/{tenantId}/keys/{keyId}', params: { tenantId: () => pools.tenants, keyId: () => pools.keyIds } },
      { surface: 'admin', method: 'POST', template: '/admin/v1/tenants/{tenantId}/webhook-endpoints', params: { tenantId: () => pools.tenants }, body: fc.record({ url: fc.oneof({ arbitrary: fc.constantFrom('http://127.0.0.1:9/a', 'https://example.com/hook', 'ftp://x', 'not a url'), weight: 3 }, { arbitrary: fc.constantFrom('http://169.254.169.254/latest/meta-data/', 'http://[::ffff:a9fe:a9fe]/', 'http://user:secret@127.0.0.1:9/a', 'http://0.0.0.0:9/a', 'http://[fe80::1]/a'), weight: 1 }), mode: fc.constantFrom('test', 'live'), events: fc.array(fc.constantFrom('*', 'billing.*', 'billing.account.created', 'Bad Event'), { maxLength: 3 }) }, { requiredKeys: ['url', 'mode'] }), fields: ['url', 'mode', 'events'] },
      { surface: 'admin', method: 'GET', template: '/admin/v1/tenants/{tenantId}/webhook-endpoints', params: { tenantId: () => pools.tenants } },
      { surface: 'admin', method: 'DELETE', template: '/admin/v1/tenants/{tenantId}/webhook-endpoints/{endpointId}', params: { tenantId: () => pools.tenants, endpointId: () => pools.endpointIds } },
      { surface: 'admin', method: 'GET', template: '/admin/v1/tenants/{tenantId}/webhook-deliveries', params: { tenantId: () => pools.tenants } },
      { surface: 'admin', method: 'GET', template: '/admin/v1/tenants/{tenantId}/webhook-deliveries/{deliveryId}', params: { tenantId: () => pools.tenants, deliveryId: () => pools.deliveryIds } },
      { surface: 'admin', method: 'POST', template: '/admin/v1/tenants/{tenantId}/webhook-deliveries/{deliveryId}/resend', params: { tenantId: () => pools.tenants, deliveryId: () => pools.deliveryIds } },
      { surface: 'admin', method: 'GET', template: '/admin/v1/tenants/{tenantId}/emails', params: { tenantId: () => pools.tenants } },
      { surface: 'admin', method: 'POST', template: '/admin/v1/tenants/{tenantId}/oauth-clients', params: { tenantId: () => pools.tenants }, body: fc.record({ name: fc.string({ minLength: 1, maxLength: 20 }), mode: fc.constantFrom('test', 'live'), roles: fc.subarray([...ORG_ROLES, 'admin'], { minLength: 0 }) }, { requiredKeys: ['name', 'mode', 'roles'] }), fields: ['name', 'mode', 'roles'] },
      { surface: 'admin', method: 'GET', template: '/admin/v1/tenants/{tenantId}/oauth-clients', params: { tenantId: () => pools.tenants } },
      { surface: 'admin', method: 'POST', template: '/admin/v1/tenants/{tenantId}/keys/{keyId}/rotate', params: { tenantId: () => pools.tenants, keyId: () => [...pools.rotatableKeyIds, ...pools.keyIds] } },
      { surface: 'admin', method: 'GET', template: '/admin/v1/tenants/{tenantId}/accounts', params: { tenantId: () => pools.tenants } },
      ...['', '/ledger-entries', '/balance-history', '/events'].map((tail): RouteSpec => ({ surface: 'admin', method: 'GET', template: `/admin/v1/tenants/{tenantId}/accounts/{accountId}${tail}`, params: { tenantId: () => [...Array(10).fill(server.tenant.tenant.id), ...pools.tenants], accountId: () => [...Array(4).fill(pools.subAccounts.slice(0, 2)).flat(), ...anyHolder()] } })),
      {
        surface: 'admin',
        method: 'PUT',
        template: '/admin/v1/tenants/{tenantId}/org-accounts/{accountId}/low-balance',
        params: { tenantId: () => [...Array(4).fill(server.tenant.tenant.id), ...pools.tenants], accountId: () => [...pools.orgAccounts, ...pools.accounts.slice(0, 2)] },
        body: fc.record({ has_notification: fc.boolean(), notification_email: fc.constantFrom('ops@example.com', 'not an e-mail'), threshold: fc.constantFrom('10', '0.5', '1.001', '-1', 'abc', '1e3', '99999999999999999999') }, { requiredKeys: [] }),
        fields: ['has_notification', 'notification_email', 'threshold'],
      },
      { surface: 'admin', method: 'DELETE', template: '/admin/v1/tenants/{tenantId}/oauth-clients/{clientId}', params: { tenantId: () => pools.tenants, clientId: () => pools.oauthClientIds } },
      { surface: 'org', method: 'POST', template: '/v1/accounts', body: orgAccountCreate, fields: ['name', 'description', 'currencyCode', 'lowBalance', 'lowBalance.threshold.units', 'lowBalance.threshold.nanos', 'lowBalance.notificationEmail'] },
      { surface: 'org', method: 'GET', template: '/v1/accounts' },
      { surface: 'org', method: 'GET', template: '/v1/accounts/{accountId}', params: { accountId: () => pools.orgAccounts } },
      { surface: 'org', method: 'PUT', template: '/v1/accounts/{accountId}', params: { accountId: tenantAAccount }, body: orgAccountReplace, fields: ['accountId', 'name', 'description', 'lowBalance', 'currencyCode', 'lowBalance.threshold.currencyCode'] },
      { surface: 'org', method: 'POST', template: '/v1/accounts/{accountId}/transactions', params: { accountId: () => pools.orgAccounts }, body: orgTransaction, fields: ['amount', 'amount.units', 'amount.nanos', 'amount.currencyCode', 'description', 'topup', 'adjustment', 'dataInstance', 'topup.paymentType'] },
      { surface: 'org', method: 'GET', template: '/v1/accounts/{accountId}/transactions', params: { accountId: () => pools.orgAccounts } },
      { surface: 'oauth', method: 'POST', template: '/oauth2/token', body: tokenRequest, fields: ['grant_type', 'client_id', 'client_secret', 'scope'] },
      { surface: 'oauth', method: 'GET', template: '/.well-known/jwks.json' },
      // Before the reset and restores below take the target's obligations away.
      { surface: 'testing', method: 'POST', template: '/testing/v1/billing/payments', body: paymentCreate, fields: ['bill', 'account', 'customer', 'amount', 'currency'] },
      { surface: 'testing', method: 'GET', template: '/testing/v1/clock' },
      { surface: 'testing', method: 'PUT', template: '/testing/v1/clock', body: fc.record({ frozen_at: fc.date({ min: new Date('2030-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()) }), fields: ['frozen_at'] },
      { surface: 'testing', method: 'POST', template: '/testing/v1/clock/advance', body: fc.record({ seconds: fc.integer({ min: 1, max: 86_400 }) }), fields: ['seconds'] },
      { surface: 'testing', method: 'DELETE', template: '/testing/v1/clock' },
      {
        surface: 'testing',
        method: 'POST',
        template: '/testing/v1/faults',
        // Well-formed in one of the three kinds (answer, delay, drop); the mutations break them.
        body: fc.oneof(
          fc.record({ method: fc.constantFrom('GET', 'POST', 'DELETE'), path: faultPath, status: fc.integer({ min: 400, max: 599 }), code: fc.constantFrom('FAILED_PRECONDITION', 'maintenance'), message: fc.string({ minLength: 1, maxLength: 40 }), retry_after: fc.integer({ min: 0, max: 120 }), times: fc.integer({ min: 1, max: 5 }) }, { requiredKeys: ['path', 'status'] }),
          fc.record({ method: fc.constantFrom('GET', 'POST'), path: faultPath, delay_ms: fc.integer({ min: 0, max: 50 }), status: fc.integer({ min: 400, max: 599 }) }, { requiredKeys: ['path', 'delay_ms'] }),
          fc.record({ path: faultPath, drop: fc.constant(true), delay_ms: fc.integer({ min: 0, max: 50 }), times: fc.integer({ min: 1, max: 1000 }) }, { requiredKeys: ['path', 'drop'] }),
        ) as fc.Arbitrary<Record<string, unknown>>,
        fields: ['method', 'path', 'status', 'code', 'message', 'retry_after', 'delay_ms', 'drop', 'times'],
      },
      { surface: 'testing', method: 'GET', template: '/testing/v1/faults' },
      { surface: 'testing', method: 'DELETE', template: '/testing/v1/faults/{id}', params: { id: () => pools.faultIds } },
      // Waits are bounded here by the generated wait_ms (at most 200 ms).
      { surface: 'testing', method: 'GET', template: '/testing/v1/events' },
      { surface: 'testing', method: 'GET', template: '/testing/v1/emails' },
      { surface: 'testing', method: 'POST', template: '/testing/v1/snapshots', body: fc.record({ name: fc.string({ minLength: 1, maxLength: 40 }) }, { requiredKeys: [] }), fields: ['name'] },
      { surface: 'testing', method: 'GET', template: '/testing/v1/snapshots' },
      { surface: 'testing', method: 'POST', template: '/testing/v1/snapshots/{id}/restore', params: { id: () => pools.snapshotIds } },
      { surface: 'testing', method: 'POST', template: '/testing/v1/reset' },
      // The same control plane for operators: only the testing target's test mode (tenant A's objects are the other routes' seeds).
      { surface: 'admin', method: 'GET', template: '/admin/v1/tenants/{tenantId}/test-clock', params: { tenantId: () => [testingTenant.tenant.id] } },
      { surface: 'admin', method: 'POST', template: '/admin/v1/tenants/{tenantId}/test-clock/advance', params: { tenantId: () => [testingTenant.tenant.id] }, body: fc.record({ seconds: fc.integer({ min: 1, max: 86_400 }) }), fields: ['seconds'] },
      { surface: 'admin', method: 'POST', template: '/admin/v1/tenants/{tenantId}/test-snapshots', params: { tenantId: () => [testingTenant.tenant.id] }, body: fc.record({ name: fc.string({ minLength: 1, maxLength: 40 }) }, { requiredKeys: [] }), fields: ['name'] },
      { surface: 'admin', method: 'GET', template: '/admin/v1/tenants/{tenantId}/test-snapshots', params: { tenantId: () => [testingTenant.tenant.id] } },
      { surface: 'admin', method: 'POST', template: '/admin/v1/tenants/{tenantId}/test-snapshots/{snapshotId}/restore', params: { tenantId: () => [testingTenant.tenant.id], snapshotId: () => pools.snapshotIds } },
      { surface: 'admin', method: 'POST', template: '/admin/v1/tenants/{tenantId}/test-reset', params: { tenantId: () => [testingTenant.tenant.id] } },
      // Last: a deleted snapshot cannot be restored.
      { surface: 'testing', method: 'DELETE', template: '/testing/v1/snapshots/{id}', params: { id: () => pools.snapshotIds } },
      { surface: 'admin', method: 'POST', template: '/admin/v1/tenants/{tenantId}/emails', params: { tenantId: () => pools.tenants }, body: fc.record({ to: fc.emailAddress(), subject: fc.string({ minLength: 1, maxLength: 40 }), text: fc.string({ maxLength: 200 }), mode: fc.constantFrom('test', 'live') }, { requiredKeys: ['to', 'subject', 'text'] }), fields: ['to', 'subject', 'text', 'mode'] },
      // Xendit's transactions (SPEC §4b), with their own filters; last, so that adding them moved no other route's seed.
      { surface: 'platform', method: 'GET', template: '/transactions', query: TRANSACTION_QUERY },
      { surface: 'platform', method: 'GET', template: '/transactions/{id}', params: { id: () => pools.transactionIds }, query: TRANSACTION_QUERY },
      // Bills (SPEC §3b), after the transactions: each route's seed is FUZZ_SEED + its index, so the routes above keep theirs.
      { surface: 'billing', method: 'POST', template: '/billing/bills', body: billCreate, fields: ['customer', 'account', 'external_reference', 'currency', 'amount_due', 'bill_date', 'due_date', 'payment_rules', 'metadata', 'amount_paid', 'status', 'payment_rules.overpayment_allowed'] },
      { surface: 'billing', method: 'GET', template: '/billing/bills' },
      { surface: 'billing', method: 'GET', template: '/billing/bills/{bill}', params: { bill: () => pools.bills } },
      { surface: 'billing', method: 'PATCH', template: '/billing/bills/{bill}', params: { bill: () => pools.bills }, body: billUpdate, fields: ['amount_paid', 'due_date', 'payment_rules', 'metadata', 'amount_remaining', 'status', 'amount_due', 'metadata.key'] },
      { surface: 'admin', method: 'GET', template: '/admin/v1/tenants/{tenantId}/accounts/{accountId}/bills', params: { tenantId: () => [...Array(10).fill(server.tenant.tenant.id), ...pools.tenants], accountId: () => [...Array(8).fill(pools.accounts[0]!), ...anyHolder()] } },
      // A ledger you can audit (SPEC §8), after the bills: an account's balances at an instant, and one tenant's verify (reads only).
      { surface: 'admin', method: 'GET', template: '/admin/v1/tenants/{tenantId}/accounts/{accountId}/balances', params: { tenantId: () => [...Array(10).fill(server.tenant.tenant.id), ...pools.tenants], accountId: () => [...Array(8).fill(pools.accounts[0]!), ...anyHolder()] }, query: AS_OF_QUERY },
      { surface: 'admin', method: 'POST', template: '/admin/v1/tenants/{tenantId}/verify', params: { tenantId: () => [...Array(10).fill(server.tenant.tenant.id), ...pools.tenants] }, query: VERIFY_QUERY },
    ];

    // ---------------------------------------------------------------------------------------
    // Observing the store
    // ---------------------------------------------------------------------------------------

    const COUNTED = ['tenants', 'api_keys', 'customers', 'accounts', 'bills', 'ledger_entries', 'events', 'webhook_endpoints', 'webhook_deliveries', 'emails', 'platform_sub_accounts', 'platform_transfers', 'org_accounts', 'org_transactions', 'oauth_clients'] as const;

    /**
     * What a request may not change unless it succeeds: the row count of every table but
     * idempotency_keys (a failed keyed request stores its answer), and every row that can change
     * in place (all its columns, or the ones named).
     */
    const CHANGING_IN_PLACE: Record<string, WatchedTable['columns']> = {
      customers: 'all',
      accounts: 'all',
      bills: 'all',
      platform_sub_accounts: 'all',
      org_accounts: 'all',
      balances: 'all',
      api_keys: ['revoked_at'],
      webhook_endpoints: ['deleted_at'],
      webhook_deliveries: ['status', 'attempts', 'next_attempt_at', 'last_error'],
      oauth_clients: ['revoked_at'],
    };
    const WATCHED: WatchedTable[] = [...new Set([...COUNTED, ...Object.keys(CHANGING_IN_PLACE)])].map((name) => ({ name, columns: CHANGING_IN_PLACE[name] ?? 'none' }));

    /** Row counts of the counted tables, and the committed changes to every watched row (read from the counters the triggers keep). */
    async function snapshot(): Promise<Snapshot> {
      const { rows, changes } = await readChangeCounters(storeOf(server).db);
      return { counts: Object.fromEntries(COUNTED.map((table) => [table, rows[table]!])), changes };
    }

    /** Balances that are not the sum of their ledger entries (must be none); amounts are exact decimal text. */
    async function unbalancedHolders(): Promise<unknown[]> {
      const db = storeOf(server).db;
      const sums = new Map<string, bigint>();
      for (const e of await db.selectFrom('ledger_entries').select(['tenant_id', 'mode', 'holder_id', 'currency', 'amount']).execute()) {
        const key = `${e.tenant_id}/${e.mode}/${e.holder_id}/${e.currency}`;
        sums.set(key, (sums.get(key) ?? 0n) + BigInt(e.amount));
      }
      const rows = [];
      for (const b of await db.selectFrom('balances').select(['tenant_id', 'mode', 'holder_id', 'currency', 'amount']).execute()) {
        const key = `${b.tenant_id}/${b.mode}/${b.holder_id}/${b.currency}`;
        const total = sums.get(key) ?? 0n;
        sums.delete(key);
        if (BigInt(b.amount) !== total) rows.push({ balance: key, amount: b.amount, entries: String(total) });
      }
      // Entries without a balance would be money nobody holds.
      for (const [key, total] of sums) rows.push({ balance: key, amount: null, entries: String(total) });
      // A billing holder's balance column is a copy of its ledger balance in its own currency.
      const ledgerBalances = new Map((await db.selectFrom('balances').select(['tenant_id', 'mode', 'holder_id', 'currency', 'amount']).execute()).map((b) => [`${b.tenant_id}/${b.mode}/${b.holder_id}/${b.currency}`, b.amount]));
      for (const table of ['customers', 'accounts'] as const) {
        for (const h of await db.selectFrom(table).select(['tenant_id', 'mode', 'id', 'currency', 'balance']).execute()) {
          const amount = ledgerBalances.get(`${h.tenant_id}/${h.mode}/${h.id}/${h.currency}`);
          const copy = amount === undefined || h.currency === null ? null : toMinorUnits({ currency: h.currency, amount: BigInt(amount) });
          if (copy !== (h.balance === null ? null : BigInt(h.balance))) rows.push({ holder: `${table}/${h.id}`, balance: String(h.balance), ledger: String(copy) });
        }
      }
      // An org account's balance column is a copy of its ledger balance too (atoms).
      for (const h of await db.selectFrom('org_accounts').select(['tenant_id', 'mode', 'id', 'currency', 'balance']).execute()) {
        const amount = ledgerBalances.get(`${h.tenant_id}/${h.mode}/${h.id}/${h.currency}`);
        if (amount !== h.balance) rows.push({ holder: `org_accounts/${h.id}`, balance: h.balance, ledger: String(amount) });
      }
      return rows;
    }

    // ---------------------------------------------------------------------------------------
    // One request and what must hold of it
    // ---------------------------------------------------------------------------------------

    async function send(request: FuzzRequest) {
      const headers = { ...request.headers };
      if (request.auth.header !== undefined) headers.authorization = request.auth.header;
      const response = await fetch(`${server.baseUrl}${request.target}`, { method: request.method, headers, body: request.body?.bytes });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: the checks below say so
      }
      return { status: response.status, headers: response.headers, body, text };
    }

    /** Answers seen per route and status, printed as a diagnostic (how much each property reached). */
    const tally = new Map<string, Map<number, number>>();

    /**
     * Sends the request and checks every invariant; throws a message naming the request and the
     * answer (fast-check adds the seed and the generated values).
     */
    async function check(request: FuzzRequest, expectation: { route?: RouteSpec; wrongMethod?: boolean }): Promise<void> {
      const before = await snapshot();
      const response = await send(request);
      const label = expectation.route ? `${expectation.route.method} ${expectation.route.template}` : expectation.wrongMethod ? 'wrong method' : 'unknown route';
      const seen = tally.get(label) ?? new Map<number, number>();
      tally.set(label, seen.set(response.status, (seen.get(response.status) ?? 0) + 1));
      const after = await snapshot();
      const fail = (why: string) => {
        throw new Error(`${why}\n  request: ${request.method} ${request.target.slice(0, 300)} auth=${request.auth.label} headers=${JSON.stringify(request.headers).slice(0, 300)} body=${request.body ? request.body[fc.toStringMethod]() : 'none'}\n  answer: ${response.status} ${response.headers.get('content-type')} ${response.text.slice(0, 600)}`);
      };
      const instance = new URL(`${server.baseUrl}${request.target}`).pathname;

      if (response.status >= 500) fail(`answered ${response.status}: no input may produce a 5xx`);
      if (!response.headers.get('request-id')) fail('no Request-Id header');
      const incomingId = request.headers['x-request-id'];
      if (incomingId !== undefined && /^[A-Za-z0-9._:-]{1,128}$/.test(incomingId) && response.headers.get('request-id') !== incomingId) fail('a valid X-Request-Id is not echoed as Request-Id');
      const success = response.status >= 200 && response.status < 300;
      if (!success) {
        const wrong = failureShapeViolations(response, instance);
        if (wrong.length > 0) fail(`a failure not in the surface's shape: ${wrong.join('; ')}`);
        if (JSON.stringify(before) !== JSON.stringify(after)) {
          fail(`a failed request changed the store:\n  before ${JSON.stringify(before)}\n  after  ${JSON.stringify(after)}`);
        }
      } else {
        if (response.status === 204) {
          if (response.text !== '') fail('a 204 with a body');
        } else {
          if (!/^application\/json\b/.test(response.headers.get('content-type') ?? '')) fail('a success that is not application/json');
          if (typeof response.body !== 'object' || response.body === null) fail('a success whose body is not a JSON object');
        }
        // A read-only org token may read accounts (its one role): only that succeeds with it.
        const readsAccounts = request.auth.label === 'org token, read only' && request.method === 'GET' && /^\/v1\/accounts(\/[^/]+)?$/.test(instance);
        if (!request.auth.valid && !readsAccounts) fail(`a request authenticated with "${request.auth.label}" succeeded`);
      }
      if (expectation.wrongMethod && !isMethodNotAllowed(response, instance)) {
        fail('a wrong method on an existing path must answer 405 method-not-allowed with an Allow header');
      }
      if (request.expect404 && !isNotFound(response, instance)) fail('an unknown route must answer 404 not-found');

      const replayed = response.headers.get('idempotent-replayed') === 'true';
      const route = expectation.route;
      if (request.method === 'GET' || replayed || !route) {
        if (JSON.stringify(before) !== JSON.stringify(after)) fail(`a ${replayed ? 'replay' : 'read'} changed the store:\n  before ${JSON.stringify(before)}\n  after  ${JSON.stringify(after)}`);
        return;
      }
      if (!success) return;
      // A success changed exactly what its route changes.
      const d = Object.fromEntries(COUNTED.map((t) => [t, after.counts[t]! - before.counts[t]!]));
      const only = (allowed: Partial<Record<(typeof COUNTED)[number], (n: number) => boolean>>) => {
        for (const table of COUNTED) {
          const ok = allowed[table] ?? ((n: number) => n === 0);
          if (!ok(d[table]!)) fail(`${route.method} ${route.template} ${response.status} changed ${table} by ${d[table]} (all changes: ${JSON.stringify(d)})`);
        }
      };
      const range = (min: number, max: number) => (n: number) => n >= min && n <= max;
      switch (`${route.method} ${route.template}`) {
        case 'POST /billing/customers':
          only({ customers: (n) => n === 1, ledger_entries: range(0, 1), events: (n) => n === 1 });
          break;
        case 'POST /billing/accounts':
          only({ accounts: (n) => n === 1, customers: range(0, 1), ledger_entries: range(0, 1 + d.customers!), events: (n) => n === 1 + d.customers! });
          break;
        case 'PATCH /billing/customers/{customer}':
          only({ ledger_entries: range(0, 2), events: (n) => (d.ledger_entries! > 0 ? n === 1 : n === 0 || n === 1) });
          break;
        case 'PATCH /billing/accounts/{account}':
          // account.updated, plus balance_changed when the ledger moved; nothing for a no-op.
          only({ ledger_entries: range(0, 2), events: (n) => (d.ledger_entries! > 0 ? n === 2 : n === 0 || n === 1) });
          break;
        case 'POST /billing/bills':
          // A bill posts nothing: no ledger entry, whatever its customer's or account's balance.
          only({ bills: (n) => n === 1, events: (n) => n === 1 });
          break;
        case 'PATCH /billing/bills/{bill}':
          only({ events: range(0, 1) });
          break;
        case 'POST /testing/v1/billing/payments':
          // A bill: bill.updated + amount_applied; an account: updated, balance_changed, amount_applied; a customer: updated, amount_applied.
          only({ ledger_entries: range(0, 1), events: (n) => (d.ledger_entries === 0 ? n === 2 : n === 2 || n === 3) });
          break;
        case 'POST /v2/accounts':
          // A MANAGED account's invitation e-mail goes through the outbox.
          only({ platform_sub_accounts: (n) => n === 1, events: (n) => n === 1, emails: range(0, 1) });
          break;
        case 'PATCH /v2/accounts/{id}':
        case 'POST /v2/accounts/{id}/test/status':
        case 'POST /admin/v1/tenants/{tenantId}/platform-accounts/{accountId}/status':
          // One event for a change; nothing for a no-op.
          only({ events: range(0, 1) });
          break;
        case 'POST /balance/test/topup':
          only({ ledger_entries: (n) => n === 1, events: (n) => n === 1 });
          break;
        case 'POST /transfers':
          only({ platform_transfers: (n) => n === 1, ledger_entries: (n) => n === 2, events: (n) => n === 1 });
          break;
        case 'POST /admin/v1/tenants':
          only({ tenants: (n) => n === 1, api_keys: (n) => n === 6 });
          break;
        case 'POST /admin/v1/tenants/{tenantId}/keys':
        case 'POST /admin/v1/tenants/{tenantId}/keys/{keyId}/rotate':
          only({ api_keys: (n) => n === 1 });
          break;
        case 'PUT /admin/v1/tenants/{tenantId}/org-accounts/{accountId}/low-balance':
          // As the org surface's replace: org_account.updated, and a low-balance event (and e-mail) when it crossed the threshold.
          only({ events: range(1, 2), emails: range(0, 1) });
          break;
        case 'POST /admin/v1/tenants/{tenantId}/webhook-endpoints':
          only({ webhook_endpoints: (n) => n === 1 });
          break;
        case 'POST /admin/v1/tenants/{tenantId}/emails':
          only({ emails: (n) => n === 1 });
          break;
        case 'POST /admin/v1/tenants/{tenantId}/oauth-clients':
          only({ oauth_clients: (n) => n === 1 });
          break;
        case 'POST /v1/accounts':
          only({ org_accounts: (n) => n === 1, events: (n) => n === 1 });
          break;
        case 'PUT /v1/accounts/{accountId}':
          // org.account.updated, plus a low-balance event (and e-mail) when the change crossed the threshold.
          only({ events: range(1, 2), emails: range(0, 1) });
          break;
        case 'POST /testing/v1/reset':
        case 'POST /admin/v1/tenants/{tenantId}/test-reset': {
          // Test-mode rows of the target go; what configures a tenant stays.
          const fewer = (n: number) => n <= 0;
          only(Object.fromEntries(COUNTED.filter((t) => !['tenants', 'api_keys', 'webhook_endpoints', 'oauth_clients'].includes(t)).map((t) => [t, fewer])));
          break;
        }
        case 'POST /testing/v1/snapshots/{id}/restore':
        case 'POST /admin/v1/tenants/{tenantId}/test-snapshots/{snapshotId}/restore':
          // The target's test-mode rows become the snapshot's: any count of them.
          only(Object.fromEntries(COUNTED.filter((t) => !['tenants', 'api_keys', 'webhook_endpoints', 'oauth_clients'].includes(t)).map((t) => [t, () => true])));
          break;
        case 'POST /v1/accounts/{accountId}/transactions':
          only({ ledger_entries: (n) => n === 1, org_transactions: (n) => n === 1, events: range(1, 2), emails: range(0, 1) });
          break;
        default:
          only({});
      }
      const unbalanced = await unbalancedHolders();
      if (unbalanced.length > 0) fail(`a stored balance differs from the sum of its ledger entries: ${JSON.stringify(unbalanced)}`);
    }

    // ---------------------------------------------------------------------------------------
    // Request generators
    // ---------------------------------------------------------------------------------------

    const idempotencyHeader = fc.oneof(
      { arbitrary: fc.uuid(), weight: 6 },
      { arbitrary: fc.constantFrom('fz-reused-1', 'fz-reused-2', 'fz-reused-3'), weight: 3 },
      { arbitrary: fc.constantFrom(...BAD_IDEMPOTENCY_KEYS.filter((k) => k.trim() !== '' && !/[^\x20-\xff]/.test(k))), weight: 1 },
      { arbitrary: headerText(40), weight: 1 },
      { arbitrary: fc.constant(undefined), weight: 1 },
    );
    const headersArb = (withBody: boolean) =>
      fc
        .record(
          {
            'idempotency-key': idempotencyHeader,
            'content-type': withBody
              ? fc.oneof({ arbitrary: fc.constant('application/json'), weight: 12 }, { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 2 }, { arbitrary: headerText(30), weight: 1 })
              : fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 2 }),
            'x-request-id': fc.oneof(fc.constant(undefined), fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/), headerText(200)),
            accept: fc.constantFrom(undefined, '*/*', 'text/html', 'application/xml'),
          },
          { requiredKeys: [] },
        )
        .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>);

    /**
     * Headers and an optional well-formed JSON body: what a client that got only the route wrong
     * sends. Idempotency keys are fresh: a key already used for another request is a 409 whatever
     * the path (SPEC §2), which the routes property covers.
     */
    const plainRequest = fc
      .record({
        headers: fc
          .record({ 'idempotency-key': fc.option(fc.uuid(), { nil: undefined }), 'x-request-id': fc.option(headerText(60), { nil: undefined }), accept: fc.constantFrom(undefined, '*/*', 'text/html') }, { requiredKeys: [] })
          .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>),
        body: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
      })
      .map(({ headers: rest, body }) => {
        return body === undefined
          ? { headers: rest, body: undefined }
          : { headers: { ...rest, 'content-type': 'application/json' }, body: Body.text(JSON.stringify(body) ?? 'null', 'random JSON') };
      });

    function requestsFor(route: RouteSpec): fc.Arbitrary<FuzzRequest> {
      const refs = refsOf[route.surface];
      const names = [...route.template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const params = fc.tuple(...names.map((name) => segment(route.params?.[name] ?? refs)));
      const withBody = route.method !== 'GET';
      return fc
        .record({
          params,
          query: query(refs, route.query),
          headers: headersArb(withBody && route.body !== undefined),
          body: withBody ? bodyOf(route.body, route.fields ?? []) : fc.constant(undefined),
          auth: auths[route.surface],
        })
        .map(({ params: values, query: q, headers, body, auth }) => {
          let i = 0;
          const path = route.template.replace(/\{\w+\}/g, () => values[i++]!);
          return { method: route.method, target: `${path}${q}`, headers, body, auth };
        });
    }

    function assertProperty(name: string, index: number, arbitrary: fc.Arbitrary<FuzzRequest>, expectation: Parameters<typeof check>[1], numRuns = RUNS) {
      const seed = SEED + index;
      return fc.assert(
        fc.asyncProperty(arbitrary, (request) => check(request, expectation)),
        { seed, numRuns, endOnFailure: true, verbose: 1 },
      ).catch((error: unknown) => {
        const cause = (error as { cause?: unknown }).cause;
        const why = cause instanceof Error ? cause.message : '';
        throw new Error(`${name}: property failed (FUZZ_SEED=${SEED}, this property's seed ${seed})\n${why}\n${(error as Error).message}`);
      });
    }

    test('the fuzzed routes are every route of every surface in the OpenAPI document (all but /healthz and /readyz)', async () => {
      const doc = await call(server.baseUrl, 'GET', '/openapi.json');
      assert.equal(doc.status, 200);
      // A new surface's routes make this fail until they are fuzzed too.
      const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
        .filter(([path]) => path !== '/healthz' && path !== '/readyz')
        .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      assert.deepEqual(ROUTES.map((r) => `${r.method} ${r.template}`).sort(), documented);
    });

    test(`every billing and admin route, ${RUNS} generated requests per route (bodies, queries, path parameters, headers): never 5xx, failures in problem+json, nothing half-applied`, TEST_TIMEOUT, async (t) => {
      t.diagnostic(`FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);
      const failures: string[] = [];
      for (const [index, route] of ROUTES.entries()) {
        // Mutating routes get more runs: they are where half-applied changes could hide.
        const runs = route.method === 'GET' ? Math.ceil(RUNS / 2) : RUNS * (route.surface === 'billing' ? 2 : 1);
        await assertProperty(`${route.method} ${route.template}`, index, requestsFor(route), { route }, runs).catch((error: Error) => failures.push(error.message));
      }
      for (const [label, statuses] of tally) t.diagnostic(`${label}: ${[...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${n}×${status}`).join(' ')}`);
      assert.deepEqual(failures, [], failures.join('\n\n'));
      const succeeded = ROUTES.filter((r) => [...(tally.get(`${r.method} ${r.template}`) ?? new Map<number, number>()).keys()].some((status) => status < 300));
      assert.deepEqual(ROUTES.filter((r) => !succeeded.includes(r)).map((r) => `${r.method} ${r.template}`), [], 'every route got generated requests it accepted (the generators reach past validation)');
    });

    test('every route that takes a body: bytes that are not UTF-8, or more than 10,000 keys, answer 400 in the surface shape (413 on open routes, whose limit is 16 KiB) and change nothing', TEST_TIMEOUT, async () => {
      const valid: Record<Surface, Auth> = {
        billing: { header: `Bearer ${server.tenant.keys.test.secret}`, valid: true, label: 'A test secret' },
        platform: { header: `Basic ${Buffer.from(`${server.tenant.keys.test.secret}:`).toString('base64')}`, valid: true, label: 'A test secret, Basic' },
        admin: { header: `Bearer ${ADMIN_TOKEN}`, valid: true, label: 'admin token' },
        org: fc.sample(auths.org.filter((auth) => auth.label === 'org token'), { numRuns: 1, seed: SEED })[0]!,
        oauth: { header: undefined, valid: true, label: 'none' },
        testing: { header: `Bearer ${testingTenant.keys.test.secret}`, valid: true, label: 'target test secret' },
      };
      const open = new Set(['POST /oauth2/token']);
      const wrong: string[] = [];
      for (const route of ROUTES.filter((r) => r.method !== 'GET' && r.body !== undefined)) {
        const names = [...route.template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        const values = names.map((name) => encodeURIComponent((route.params?.[name] ?? refsOf[route.surface])()[0] ?? 'x'));
        let i = 0;
        const target = route.template.replace(/\{\w+\}/g, () => values[i++]!);
        for (const body of [...NOT_UTF8.map(bodyWithBytes), TOO_MANY_KEYS]) {
          const request: FuzzRequest = { method: route.method, target, headers: { 'content-type': 'application/json', 'idempotency-key': `fz-bytes-${Math.random()}` }, body, auth: { ...valid[route.surface], valid: false } };
          const label = `${route.method} ${route.template} with ${body.label}`;
          const before = await snapshot();
          const response = await send(request);
          const expected = open.has(`${route.method} ${route.template}`) && body.bytes.length > 16 * 1024 ? 413 : 400;
          if (response.status !== expected) wrong.push(`${label}: ${response.status} ${response.text.slice(0, 200)}`);
          const shape = failureShapeViolations(response, target);
          if (shape.length > 0) wrong.push(`${label}: ${shape.join('; ')}`);
          if (JSON.stringify(await snapshot()) !== JSON.stringify(before)) wrong.push(`${label}: the store changed`);
        }
      }
      assert.deepEqual(wrong, []);
    });

    test(`wrong methods on every existing path answer 405 method-not-allowed (with Allow), in problem+json, whatever the headers and body`, TEST_TIMEOUT, async () => {
      const allowed = new Map<string, Set<string>>();
      for (const r of ROUTES) allowed.set(r.template, (allowed.get(r.template) ?? new Set()).add(r.method));
      const cases = [...allowed].flatMap(([template, methods]) => ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !methods.has(m)).map((method) => ({ template, method })));
      const arbitrary = fc
        .record({
          c: fc.constantFrom(...cases),
          auth: fc.oneof(auths.billing, auths.admin, auths.platform, auths.org),
          plain: plainRequest,
          id: ref,
        })
        .map(({ c, auth, plain, id }) => ({ method: c.method, target: c.template.replace(/\{\w+\}/g, id), ...(c.method === 'GET' ? { ...plain, body: undefined } : plain), auth }));
      await assertProperty('wrong method', 100, arbitrary, { wrongMethod: true }, RUNS * 2);
    });

    test('unknown routes under every surface and outside them answer 404 not-found in problem+json', TEST_TIMEOUT, async () => {
      const arbitrary = fc
        .record({
          prefix: fc.constantFrom('/billing', '/admin/v1', '/admin', '/v9', '/v1', ''),
          rest: fc.oneof(
            fc.array(fc.stringMatching(/^[a-z0-9_]{1,12}$/), { minLength: 1, maxLength: 4 }).map((segments) => `/zz${segments.join('/')}`),
            fc.constantFrom('/billing/accounts/x/y', '/customers/x/ledger_entries', '/accounts/x/ledger_entries/y', '/tenants/x/y', '/tenants/x/keys/y/z'),
          ),
          method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
          auth: fc.oneof(auths.billing, auths.admin, auths.org),
          plain: plainRequest,
          // Well-formed query strings: a hostile one is a 400 before the route is looked at (the routes property covers those).
          q: fc.array(fc.tuple(fc.constantFrom(...QUERY_NAMES), fc.stringMatching(/^[A-Za-z0-9_-]{0,12}$/)), { maxLength: 3 }).map((pairs) => (pairs.length > 0 ? `?${pairs.map(([n, v]) => `${encodeURIComponent(n)}=${v}`).join('&')}` : '')),
        })
        .map(({ prefix, rest, method, auth, plain, q }): FuzzRequest => {
          const target = `${prefix}${rest}${q}`;
          // Inside a surface, a caller authenticated for it gets 404 (an unauthenticated one 401 first); outside every surface, everyone gets 404.
          const reachable = target.startsWith('/admin/v1/')
            ? auth.label === 'admin token' && auth.valid
            : target.startsWith('/billing/')
              ? auth.valid && auth.label !== 'admin token' && !auth.label.startsWith('org')
              : target.startsWith('/v1/')
                ? auth.valid && auth.label.startsWith('org token')
                : true;
          return { method, target, ...(method === 'GET' ? { ...plain, body: undefined } : plain), auth: { ...auth, valid: false }, expect404: reachable };
        });
      await assertProperty('unknown route', 200, arbitrary, {}, RUNS * 2);
    });

    test('bodies no JSON parser accepts, sent to paths outside every surface (unknown, /healthz, /docs/errors), answer 4xx problem+json, never 500', async () => {
      const cases = [
        { path: '/no-such-route', body: '{' },
        { path: '/no-such-route', body: '{"__proto__":{"polluted":true}}' },
        { path: '/no-such-route', body: `"${'x'.repeat(1024 * 1024 + 16)}"` },
        { path: '/healthz', body: '{' },
        { path: '/docs/errors', body: '{"a":1' },
      ];
      const wrong: string[] = [];
      for (const { path, body } of cases) {
        const response = await call(server.baseUrl, 'POST', path, undefined, { rawBody: body, headers: { 'content-type': 'application/json' } });
        const problems = failureShapeViolations(response, path);
        if (response.status >= 500 || problems.length > 0) wrong.push(`POST ${path} with ${JSON.stringify(body.slice(0, 40))}${body.length > 40 ? '…' : ''} (${body.length} bytes): ${response.status} ${response.text.slice(0, 200)} ${problems.join('; ')}`);
      }
      assert.deepEqual(wrong, [], 'a bad body to a path no surface owns is a client error (400/404/413), not an internal error');
    });

    test('hostile bodies, queries and headers on unknown paths and on paths outside every surface: never 5xx, always problem+json', TEST_TIMEOUT, async () => {
      const arbitrary = fc
        .record({
          path: fc.oneof(
            fc.constantFrom('/', '/healthz', '/readyz', '/metrics', '/openapi.json', '/docs', '/docs/errors', '/billing', '/billing/', '/admin', '/admin/v1', '/admin/v1/', '/v2/accounts', '/v1/accounts', '/oauth2/token'),
            fc.array(fc.stringMatching(/^[a-z0-9_]{1,12}$/), { minLength: 1, maxLength: 4 }).map((segments) => `/zz${segments.join('/')}`),
          ),
          method: fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'),
          headers: headersArb(true),
          body: fc.oneof(specialBody, bodyOf(undefined, [])),
          auth: fc.oneof(auths.billing, auths.admin, auths.org),
          q: query(billingRefs),
        })
        .map(({ path, method, headers, body, auth, q }): FuzzRequest => ({ method, target: `${path}${q}`, headers, body, auth: { ...auth, valid: false } }));
      await assertProperty('outside the surfaces', 300, arbitrary, {}, RUNS * 2);
    });

    test('after fuzzing, every stored balance equals the sum of its ledger entries, and each ledger chains', async () => {
      assert.deepEqual(await unbalancedHolders(), []);
      const entries = await storeOf(server).db.selectFrom('ledger_entries').select(['tenant_id', 'mode', 'holder_id', 'currency', 'sequence', 'amount', 'balance_after']).orderBy('tenant_id').orderBy('mode').orderBy('holder_id').orderBy('currency').orderBy('sequence').execute();
      const running = new Map<string, { balance: bigint; sequence: number }>();
      for (const e of entries) {
        // Each balance (holder, currency) chains its own entries.
        const key = `${e.tenant_id}/${e.mode}/${e.holder_id}/${e.currency}`;
        const previous = running.get(key) ?? { balance: 0n, sequence: 0 };
        assert.equal(Number(e.sequence), previous.sequence + 1, `${key}: sequences follow each other`);
        const balance = previous.balance + BigInt(e.amount);
        assert.equal(BigInt(e.balance_after), balance, `${key} #${e.sequence}: balance_after = previous + amount`);
        running.set(key, { balance, sequence: Number(e.sequence) });
      }
      assert.ok(entries.length > 10, 'the fuzzing wrote ledger entries (some generated requests succeeded)');
    });
  });
}
