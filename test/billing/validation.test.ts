import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call, client, uniqueRef, type ApiResponse, type RequestOptions } from '../support/http.js';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

// SPEC §2–§3 and seeds 000/001/004: every validation rule of the billing surface, through real
// HTTP, on every store. Each rejection is checked for its status, its RFC 9457 shape, the
// offending `param`, and that nothing was written.

type Body = Record<string, unknown>;

const MAX_SAFE = 9007199254740991;

/** `{ k01: 'v', ..., kNN: 'v' }` */
function metadataWith(count: number, prefix = 'k'): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${String(i + 1).padStart(2, '0')}`, `v${i + 1}`]));
}

/** A reference of exactly `length` characters from the allowed alphabet, unique per call. */
function refOfLength(length: number): string {
  return uniqueRef('LEN').padEnd(length, 'x');
}

const validRules = { min_amount: 100, max_amount: 5000, underpayment_allowed: false, overpayment_allowed: true };

function assertProblem(res: ApiResponse, status: number, slug: string): void {
  assert.equal(res.status, status, `expected ${status} #${slug}, got ${res.status}: ${res.text.slice(0, 400)}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json(;|$)/, `content-type of ${res.text}`);
  assert.equal(typeof res.body, 'object', res.text);
  assert.ok(String(res.body.type).endsWith(`/docs/errors#${slug}`), `type ${res.body.type} should end with /docs/errors#${slug}`);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.title, 'string');
  assert.ok(res.body.title.length > 0);
  assert.equal(typeof res.body.detail, 'string');
  assert.ok(res.body.detail.length > 0);
  assert.equal(res.body.request_id, res.headers.get('request-id'));
}

function paramsOf(res: ApiResponse): string[] {
  assert.ok(Array.isArray(res.body?.errors) && res.body.errors.length > 0, `expected errors[] in ${res.text}`);
  for (const e of res.body.errors) {
    assert.equal(typeof e.param, 'string', res.text);
    assert.equal(typeof e.message, 'string', res.text);
    assert.ok(e.message.length > 0, res.text);
  }
  return res.body.errors.map((e: { param: string }) => e.param);
}

/** 400 #validation-error whose errors name exactly `param` (or one of `param` when a list is given). */
function assertInvalid(res: ApiResponse, param: string | string[], message?: RegExp): void {
  assertProblem(res, 400, 'validation-error');
  const params = paramsOf(res);
  const accepted = Array.isArray(param) ? param : [param];
  assert.ok(params.length >= 1 && params.every((p) => accepted.includes(p)), `expected param ${accepted.join(' or ')}, got ${JSON.stringify(params)}`);
  if (message) {
    const found = res.body.errors.find((e: { param: string }) => accepted.includes(e.param));
    assert.match(found.message, message);
  }
}

for (const kind of await storeKinds()) {
  describe(`billing validation (${kind})`, () => {
    let server: TestApp;
    let api: ReturnType<typeof client>;
    let customer: Body & { id: string; external_reference: string };

    before(async () => {
      server = await build(kind);
      api = client(server, server.tenant.keys.test.secret);
      customer = await createCustomer({ name: 'Shared Customer' });
    });
    after(() => server.close());

    async function createCustomer(extra: Body = {}): Promise<any> {
      const res = await api.post('/billing/customers', { external_reference: uniqueRef('CUS'), ...extra });
      assert.equal(res.status, 201, res.text);
      return res.body;
    }

    async function createAccount(extra: Body = {}): Promise<any> {
      const res = await api.post('/billing/accounts', { customer: customer.id, external_reference: uniqueRef('ACC'), ...extra });
      assert.equal(res.status, 201, res.text);
      return res.body;
    }

    const accountBody = (extra: Body = {}): Body => ({ customer: customer.id, external_reference: uniqueRef('ACC'), ...extra });
    const customerBody = (extra: Body = {}): Body => ({ external_reference: uniqueRef('CUS'), ...extra });
    const bodyFor = (path: string, extra: Body = {}) => (path === '/billing/accounts' ? accountBody(extra) : customerBody(extra));

    async function listByRef(path: string, ref: string): Promise<any[]> {
      const res = await api.get(`${path}?external_reference=${encodeURIComponent(ref)}`);
      assert.equal(res.status, 200, res.text);
      return res.body.data;
    }

    /** Nothing with that external reference exists at `path` (the list filtered by it is empty). */
    async function assertNothingAt(path: string, ref: unknown): Promise<void> {
      if (typeof ref !== 'string' || ref.length === 0 || ref.length > 255) return;
      assert.deepEqual(await listByRef(path, ref), [], `${path} should hold nothing with external_reference ${ref}`);
    }

    /** POSTs a bad create and checks the 400, its param, and that nothing was created. */
    async function rejectsCreate(path: string, body: Body, param: string | string[], message?: RegExp): Promise<ApiResponse> {
      const res = await api.post(path, body);
      assertInvalid(res, param, message);
      await assertNothingAt(path, body.external_reference);
      return res;
    }

    /** PATCHes and checks the 400, its param, and that the object reads back exactly as before. */
    async function rejectsPatch(path: string, body: unknown, param: string | string[], options: RequestOptions = {}): Promise<ApiResponse> {
      const prior = await api.get(path);
      assert.equal(prior.status, 200, prior.text);
      const res = await api.patch(path, body, options);
      assertInvalid(res, param);
      const afterwards = await api.get(path);
      assert.deepEqual(afterwards.body, prior.body, 'a rejected PATCH must not change the object');
      return res;
    }

    describe('error shape', () => {
      test('a validation error is application/problem+json with type, title, status, detail, instance, request_id and errors', async () => {
        const res = await api.post('/billing/accounts', accountBody({ currency: 'ZAR', balance: '2000' }));
        assert.equal(res.status, 400, res.text);
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json(;|$)/);
        assert.match(res.body.type, /^https?:\/\/[^/]+\/docs\/errors#validation-error$/);
        assert.equal(typeof res.body.title, 'string');
        assert.ok(res.body.title.length > 0);
        assert.equal(res.body.status, 400);
        assert.equal(typeof res.body.detail, 'string');
        assert.match(res.body.detail, /balance/);
        assert.equal(res.body.instance, '/billing/accounts');
        const requestId = res.headers.get('request-id');
        assert.ok(requestId && requestId.length > 0, 'a request-id header');
        assert.equal(res.body.request_id, requestId);
        assert.equal(res.body.errors.length, 1);
        assert.deepEqual(Object.keys(res.body.errors[0]).sort(), ['message', 'param']);
        assert.equal(res.body.errors[0].param, 'balance');
        assert.equal(typeof res.body.errors[0].message, 'string');
      });

      test('instance is the request path without its query string', async () => {
        const res = await api.get('/billing/accounts?limit=0');
        assertInvalid(res, 'limit');
        assert.equal(res.body.instance, '/billing/accounts');
      });

      test('a valid incoming X-Request-Id is echoed as request-id and in the body of an error', async () => {
        const res = await api.post('/billing/customers', customerBody({ email: 'nope' }), { headers: { 'x-request-id': 'trace-validation-123' } });
        assertInvalid(res, 'email');
        assert.equal(res.headers.get('request-id'), 'trace-validation-123');
        assert.equal(res.body.request_id, 'trace-validation-123');
      });

      test('every error of a request with several faults is listed, each naming its param', async () => {
        const res = await api.post('/billing/accounts', accountBody({ name: 'n'.repeat(256), balance: 1.5, metadata: { k: 5 } }));
        assertProblem(res, 400, 'validation-error');
        const params = paramsOf(res);
        for (const p of ['name', 'balance', 'metadata.k']) assert.ok(params.includes(p), `${p} in ${JSON.stringify(params)}`);
      });

      test('the error type URI is documented at /docs/errors', async () => {
        const res = await call(server, 'GET', '/docs/errors');
        assert.equal(res.status, 200);
        for (const slug of ['validation-error', 'not-found', 'conflict', 'unsupported-media-type']) assert.ok(res.text.includes(slug), slug);
      });
    });

    for (const path of ['/billing/accounts', '/billing/customers']) {
      describe(`Idempotency-Key on POST ${path}`, () => {
        test(`POST ${path} without Idempotency-Key answers 400 naming Idempotency-Key and creates nothing`, async () => {
          const body = bodyFor(path);
          const res = await api.post(path, body, { idempotencyKey: null });
          assertInvalid(res, 'Idempotency-Key');
          await assertNothingAt(path, body.external_reference);
        });

        const malformed: [string, string][] = [
          ['containing a space', 'abc def'],
          ['containing an underscore', 'abc_def'],
          ['containing a dot', 'abc.def'],
          ['of 256 characters', 'k'.repeat(256)],
          ['that is empty', ''],
        ];
        for (const [label, key] of malformed) {
          test(`POST ${path} with an Idempotency-Key ${label} answers 400 naming Idempotency-Key and creates nothing`, async () => {
            const body = bodyFor(path);
            const res = await api.post(path, body, { idempotencyKey: null, headers: { 'idempotency-key': key } });
            assertInvalid(res, 'Idempotency-Key');
            await assertNothingAt(path, body.external_reference);
          });
        }

        test(`POST ${path} accepts an Idempotency-Key of 255 characters of [a-zA-Z0-9-]`, async () => {
          const key = `Ab-9${randomUUID()}`.padEnd(255, 'Z');
          const res = await api.post(path, bodyFor(path), { idempotencyKey: key });
          assert.equal(res.status, 201, res.text);
        });
      });
    }

    for (const path of ['/billing/accounts', '/billing/customers']) {
      describe(`external_reference and name on POST ${path}`, () => {
        test(`a missing external_reference answers 400 naming external_reference`, async () => {
          const body = bodyFor(path);
          delete body.external_reference;
          await rejectsCreate(path, body, 'external_reference', /required/);
        });

        test('an external_reference of 255 characters is accepted', async () => {
          const ref = refOfLength(255);
          const res = await api.post(path, bodyFor(path, { external_reference: ref }));
          assert.equal(res.status, 201, res.text);
          assert.equal(res.body.external_reference, ref);
        });

        test('an external_reference of 256 characters answers 400 naming external_reference', async () => {
          await rejectsCreate(path, bodyFor(path, { external_reference: refOfLength(256) }), 'external_reference');
        });

        const badRefs: [string, unknown][] = [
          ['empty', ''],
          ['with a space', `${uniqueRef('SP')} x`],
          ['with a dot', `${uniqueRef('DOT')}.x`],
          ['with a slash', `${uniqueRef('SL')}/x`],
          ['with a plus', `${uniqueRef('PL')}+x`],
          ['with a non-ASCII letter', `${uniqueRef('U')}é`],
          ['that is a number', 12345],
          ['that is null', null],
        ];
        for (const [label, value] of badRefs) {
          test(`an external_reference ${label} answers 400 naming external_reference`, async () => {
            await rejectsCreate(path, bodyFor(path, { external_reference: value }), 'external_reference');
          });
        }

        test('a name of 255 characters is accepted and one of 256 answers 400 naming name', async () => {
          const ok = await api.post(path, bodyFor(path, { name: 'n'.repeat(255) }));
          assert.equal(ok.status, 201, ok.text);
          assert.equal(ok.body.name, 'n'.repeat(255));
          await rejectsCreate(path, bodyFor(path, { name: 'n'.repeat(256) }), 'name');
        });

        test('a name that is not a string answers 400 naming name', async () => {
          await rejectsCreate(path, bodyFor(path, { name: 42 }), 'name');
        });

        for (const field of ['foo', 'id', 'created_at', 'updated_at', 'balance_after']) {
          test(`an unknown top-level field ${field} answers 400 naming ${field}`, async () => {
            await rejectsCreate(path, bodyFor(path, { [field]: 'x' }), field, /not a recognised field/);
          });
        }

        test('an unknown field nested in payment_rules answers 400 naming payment_rules.<field>', async () => {
          await rejectsCreate(path, bodyFor(path, { payment_rules: { ...validRules, currency: 'ZAR' } }), 'payment_rules.currency');
        });
      });
    }

    test('customer_id is not accepted on account create (400 naming customer_id)', async () => {
      await rejectsCreate('/billing/accounts', accountBody({ customer_id: customer.id }), 'customer_id');
    });

    test('customer is not a field of a customer (400 naming customer)', async () => {
      await rejectsCreate('/billing/customers', customerBody({ customer: customer.id }), 'customer');
    });

    describe('currency', () => {
      for (const [code, balance] of [['ZAR', 2000], ['JPY', 2000], ['KWD', 2000]] as const) {
        test(`currency ${code} is accepted with a balance in its minor unit`, async () => {
          const account = await createAccount({ currency: code, balance });
          assert.equal(account.currency, code);
          assert.equal(account.balance, balance);
          const custRes = await api.post('/billing/customers', customerBody({ currency: code, balance }));
          assert.equal(custRes.status, 201, custRes.text);
          assert.equal(custRes.body.currency, code);
        });
      }

      const badCurrencies: [string, unknown][] = [
        ['lowercase zar', 'zar'],
        ['the unknown code ABC', 'ABC'],
        ['the two-letter ZA', 'ZA'],
        ['the four-letter ZARR', 'ZARR'],
        ['an empty string', ''],
        ['the number 3', 3],
        ['a boolean', true],
        ['an object', { code: 'ZAR' }],
      ];
      for (const [label, value] of badCurrencies) {
        test(`currency ${label} answers 400 naming currency on accounts and customers`, async () => {
          await rejectsCreate('/billing/accounts', accountBody({ currency: value }), 'currency');
          await rejectsCreate('/billing/customers', customerBody({ currency: value }), 'currency');
        });
      }
    });

    describe('balance', () => {
      const badBalances: [string, unknown][] = [
        ['a fraction 1.5', 1.5],
        ['the string "2000"', '2000'],
        ['true', true],
        ['an array', [2000]],
        ['an object', { amount: 2000 }],
      ];
      for (const [label, value] of badBalances) {
        test(`balance ${label} answers 400 naming balance on accounts and customers`, async () => {
          await rejectsCreate('/billing/accounts', accountBody({ currency: 'ZAR', balance: value }), 'balance');
          await rejectsCreate('/billing/customers', customerBody({ currency: 'ZAR', balance: value }), 'balance');
        });
      }

      test('balance ±(2^53−1) is accepted exactly', async () => {
        const high = await createAccount({ currency: 'ZAR', balance: MAX_SAFE });
        assert.equal(high.balance, MAX_SAFE);
        const low = await createAccount({ currency: 'ZAR', balance: -MAX_SAFE });
        assert.equal(low.balance, -MAX_SAFE);
        const read = await api.get(`/billing/accounts/${high.id}`);
        assert.match(read.text, /"balance":9007199254740991[,}]/);
      });

      for (const value of [9007199254740992, -9007199254740992, 1e21]) {
        test(`balance ${value} is rejected with a message about 2^53`, async () => {
          await rejectsCreate('/billing/accounts', accountBody({ currency: 'ZAR', balance: value }), 'balance', /2\^53/);
        });
      }

      test('balance 9007199254740993 sent as raw JSON text is rejected with a message about 2^53, not rounded', async () => {
        const ref = uniqueRef('ACC');
        const res = await api.post('/billing/accounts', undefined, {
          rawBody: `{"customer":"${customer.id}","external_reference":"${ref}","currency":"ZAR","balance":9007199254740993}`,
        });
        assertInvalid(res, 'balance', /2\^53/);
        await assertNothingAt('/billing/accounts', ref);
      });

      test('balance 1e400 sent as raw JSON text (Infinity) answers 400 naming balance', async () => {
        const ref = uniqueRef('ACC');
        const res = await api.post('/billing/accounts', undefined, {
          rawBody: `{"customer":"${customer.id}","external_reference":"${ref}","currency":"ZAR","balance":1e400}`,
        });
        assertInvalid(res, 'balance');
        await assertNothingAt('/billing/accounts', ref);
      });

      test('balance without currency answers 400 naming currency and creates nothing', async () => {
        await rejectsCreate('/billing/accounts', accountBody({ balance: 2000 }), 'currency');
        await rejectsCreate('/billing/customers', customerBody({ balance: 2000 }), 'currency');
      });

      test('balance with currency null answers 400 naming currency', async () => {
        await rejectsCreate('/billing/accounts', accountBody({ balance: 2000, currency: null }), 'currency');
      });

      test('a negative balance (credit) is accepted', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: -2500 });
        assert.equal(account.balance, -2500);
        const read = await api.get(`/billing/accounts/${account.id}`);
        assert.equal(read.body.balance, -2500);
      });

      test('no balance means no balance tracking: balance is null', async () => {
        const account = await createAccount({ currency: 'ZAR' });
        assert.equal(account.balance, null);
      });

      // SPEC §3: on create, null for an optional field means the same as leaving it out (SDKs send unset fields as null).
      test('balance null and metadata null on create mean absent: 201 with balance null, empty metadata and no ledger entry', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: null, metadata: null, name: null, payment_rules: null });
        assert.deepEqual([account.currency, account.balance, account.metadata, account.name, account.payment_rules], ['ZAR', null, {}, null, null]);
        const entries = await api.get(`/billing/accounts/${account.id}/ledger_entries`);
        assert.deepEqual(entries.body.data, []);
        const bare = await createAccount({ balance: null, currency: null, metadata: null });
        assert.deepEqual([bare.currency, bare.balance, bare.metadata], [null, null, {}]);
        const cust = await createCustomer({ balance: null, metadata: null, email: null, phone: null, currency: null });
        assert.deepEqual([cust.balance, cust.metadata, cust.email], [null, {}, null]);
        const inline = await api.post('/billing/accounts', accountBody({ customer: { external_reference: uniqueRef('CUS'), balance: null, metadata: null } }));
        assert.equal(inline.status, 201, inline.text);
        const inlineCustomer = await api.get(`/billing/customers/${inline.body.customer_id}`);
        assert.deepEqual([inlineCustomer.body.balance, inlineCustomer.body.metadata], [null, {}]);
      });

      test('PATCH balance null is still refused: a tracked balance cannot be dropped (400 naming balance)', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 10 });
        await rejectsPatch(`/billing/accounts/${account.id}`, { balance: null }, 'balance');
      });
    });

    describe('metadata', () => {
      for (const path of ['/billing/accounts', '/billing/customers']) {
        test(`${path}: 20 metadata keys are accepted and 21 answer 400 naming metadata`, async () => {
          const ok = await api.post(path, bodyFor(path, { metadata: metadataWith(20) }));
          assert.equal(ok.status, 201, ok.text);
          assert.deepEqual(ok.body.metadata, metadataWith(20));
          await rejectsCreate(path, bodyFor(path, { metadata: metadataWith(21) }), 'metadata');
        });

        test(`${path}: a metadata key of 40 characters is accepted and one of 41 answers 400 naming metadata.<key>`, async () => {
          const key40 = 'k'.repeat(40);
          const ok = await api.post(path, bodyFor(path, { metadata: { [key40]: 'v' } }));
          assert.equal(ok.status, 201, ok.text);
          assert.deepEqual(ok.body.metadata, { [key40]: 'v' });
          const key41 = 'k'.repeat(41);
          await rejectsCreate(path, bodyFor(path, { metadata: { [key41]: 'v' } }), `metadata.${key41}`);
        });

        test(`${path}: a metadata value of 500 characters is accepted and one of 501 answers 400 naming metadata.<key>`, async () => {
          const ok = await api.post(path, bodyFor(path, { metadata: { order_id: 'v'.repeat(500) } }));
          assert.equal(ok.status, 201, ok.text);
          assert.equal(ok.body.metadata.order_id, 'v'.repeat(500));
          await rejectsCreate(path, bodyFor(path, { metadata: { order_id: 'v'.repeat(501) } }), 'metadata.order_id');
        });

        for (const [label, value] of [['a number', 42], ['a boolean', true], ['an object', { a: 'b' }], ['an array', ['a']]] as const) {
          test(`${path}: a metadata value that is ${label} answers 400 naming metadata.<key>`, async () => {
            await rejectsCreate(path, bodyFor(path, { metadata: { order_id: value } }), 'metadata.order_id');
          });
        }

        for (const [label, value] of [['an array', ['a']], ['a string', 'a=b'], ['a number', 1]] as const) {
          test(`${path}: metadata that is ${label} answers 400 naming metadata`, async () => {
            await rejectsCreate(path, bodyFor(path, { metadata: value }), 'metadata');
          });
        }
      }

      test('PATCH merges metadata: new keys are added, others kept, "" and null remove a key', async () => {
        const account = await createAccount({ metadata: { keep: '1', empty_me: '2', null_me: '3', change: 'old' } });
        const res = await api.patch(`/billing/accounts/${account.id}`, { metadata: { added: '4', empty_me: '', null_me: null, change: 'new' } });
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body.metadata, { keep: '1', change: 'new', added: '4' });
        const read = await api.get(`/billing/accounts/${account.id}`);
        assert.deepEqual(read.body.metadata, { keep: '1', change: 'new', added: '4' });
      });

      test('PATCH merges customer metadata the same way', async () => {
        const cust = await createCustomer({ metadata: { keep: '1', drop: '2' } });
        const res = await api.patch(`/billing/customers/${cust.id}`, { metadata: { drop: null, added: '3' } });
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body.metadata, { keep: '1', added: '3' });
      });

      test('a PATCH that would leave 21 metadata keys answers 400 naming metadata and changes nothing', async () => {
        const account = await createAccount({ metadata: metadataWith(20) });
        await rejectsPatch(`/billing/accounts/${account.id}`, { metadata: { one_more: 'x' } }, 'metadata');
      });

      test('a customer PATCH that would leave 21 metadata keys answers 400 naming metadata and changes nothing', async () => {
        const cust = await createCustomer({ metadata: metadataWith(20) });
        await rejectsPatch(`/billing/customers/${cust.id}`, { metadata: { one_more: 'x' } }, 'metadata');
      });

      test('a PATCH that adds one key and removes one of 20 is accepted (the limit applies to the result)', async () => {
        const account = await createAccount({ metadata: metadataWith(20) });
        const res = await api.patch(`/billing/accounts/${account.id}`, { metadata: { k01: null, one_more: 'x' } });
        assert.equal(res.status, 200, res.text);
        assert.equal(Object.keys(res.body.metadata).length, 20);
        assert.equal(res.body.metadata.one_more, 'x');
        assert.equal(res.body.metadata.k01, undefined);
      });

      test('PATCH metadata with a 41-character key, a 501-character value or a number value answers 400 and changes nothing', async () => {
        const account = await createAccount({ metadata: { a: 'b' } });
        const path = `/billing/accounts/${account.id}`;
        const key41 = 'q'.repeat(41);
        await rejectsPatch(path, { metadata: { [key41]: 'v' } }, `metadata.${key41}`);
        await rejectsPatch(path, { metadata: { a: 'v'.repeat(501) } }, 'metadata.a');
        await rejectsPatch(path, { metadata: { a: 7 } }, 'metadata.a');
      });
    });

    describe('payment_rules', () => {
      test('valid payment_rules are accepted and echoed', async () => {
        const account = await createAccount({ payment_rules: validRules });
        assert.deepEqual(account.payment_rules, validRules);
        const cust = await createCustomer({ payment_rules: validRules });
        assert.deepEqual(cust.payment_rules, validRules);
      });

      test('min_amount equal to max_amount is accepted', async () => {
        const account = await createAccount({ payment_rules: { ...validRules, min_amount: 700, max_amount: 700 } });
        assert.equal(account.payment_rules.min_amount, 700);
      });

      for (const field of ['min_amount', 'max_amount', 'underpayment_allowed', 'overpayment_allowed']) {
        test(`payment_rules without ${field} answers 400 naming payment_rules.${field}`, async () => {
          const rules: Body = { ...validRules };
          delete rules[field];
          await rejectsCreate('/billing/accounts', accountBody({ payment_rules: rules }), `payment_rules.${field}`, /required/);
        });
      }

      for (const field of ['min_amount', 'max_amount']) {
        for (const [label, value] of [['a fraction', 1.5], ['a string', '100'], ['a boolean', true], ['null', null], ['beyond 2^53-1', 9007199254740992]] as const) {
          test(`payment_rules.${field} that is ${label} answers 400 naming payment_rules.${field}`, async () => {
            const rules = { ...validRules, min_amount: 0, max_amount: MAX_SAFE, [field]: value };
            await rejectsCreate('/billing/accounts', accountBody({ payment_rules: rules }), `payment_rules.${field}`);
          });
        }
      }

      test('a negative payment_rules.min_amount answers 400 naming payment_rules.min_amount, saying it must not be negative', async () => {
        const rules = { ...validRules, min_amount: -1 };
        await rejectsCreate('/billing/accounts', accountBody({ payment_rules: rules }), 'payment_rules.min_amount', /negative|at least 0|≥ ?0/i);
      });

      test('a negative payment_rules.max_amount answers 400 naming payment_rules.max_amount', async () => {
        const rules = { ...validRules, min_amount: 0, max_amount: -1 };
        await rejectsCreate('/billing/accounts', accountBody({ payment_rules: rules }), 'payment_rules.max_amount');
      });

      test('min_amount greater than max_amount answers 400 naming payment_rules.min_amount', async () => {
        const rules = { ...validRules, min_amount: 5001, max_amount: 5000 };
        await rejectsCreate('/billing/accounts', accountBody({ payment_rules: rules }), 'payment_rules.min_amount');
        await rejectsCreate('/billing/customers', customerBody({ payment_rules: rules }), 'payment_rules.min_amount');
      });

      for (const field of ['underpayment_allowed', 'overpayment_allowed']) {
        for (const [label, value] of [['the string "true"', 'true'], ['the number 1', 1], ['null', null]] as const) {
          test(`payment_rules.${field} that is ${label} answers 400 naming payment_rules.${field}`, async () => {
            await rejectsCreate('/billing/accounts', accountBody({ payment_rules: { ...validRules, [field]: value } }), `payment_rules.${field}`);
          });
        }
      }

      for (const [label, value] of [['an array', [validRules]], ['a string', 'none'], ['a number', 5]] as const) {
        test(`payment_rules that is ${label} answers 400 naming payment_rules`, async () => {
          await rejectsCreate('/billing/accounts', accountBody({ payment_rules: value }), 'payment_rules');
        });
      }

      test('payment_rules null is accepted on create', async () => {
        const account = await createAccount({ payment_rules: null });
        assert.equal(account.payment_rules, null);
        const cust = await createCustomer({ payment_rules: null });
        assert.equal(cust.payment_rules, null);
      });

      test('PATCH payment_rules null clears them', async () => {
        const account = await createAccount({ payment_rules: validRules });
        const res = await api.patch(`/billing/accounts/${account.id}`, { payment_rules: null });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.payment_rules, null);
        assert.equal((await api.get(`/billing/accounts/${account.id}`)).body.payment_rules, null);
      });

      test('a PATCH with min_amount > max_amount, or with only some payment_rules fields, answers 400 and changes nothing', async () => {
        const account = await createAccount({ payment_rules: validRules });
        const path = `/billing/accounts/${account.id}`;
        await rejectsPatch(path, { payment_rules: { ...validRules, min_amount: 9000 } }, 'payment_rules.min_amount');
        await rejectsPatch(path, { payment_rules: { min_amount: 1 } }, ['payment_rules.max_amount', 'payment_rules.underpayment_allowed', 'payment_rules.overpayment_allowed']);
        await rejectsPatch(path, { payment_rules: { ...validRules, extra: true } }, 'payment_rules.extra');
      });
    });

    describe('customer on account create', () => {
      test('customer may be a bcus_ id', async () => {
        const account = await createAccount({ customer: customer.id });
        assert.equal(account.customer_id, customer.id);
      });

      test('customer may be a customer external reference', async () => {
        const account = await createAccount({ customer: customer.external_reference });
        assert.equal(account.customer_id, customer.id);
      });

      test('customer may be an inline customer object, which is created with the account', async () => {
        const custRef = uniqueRef('CUS');
        const account = await createAccount({ customer: { external_reference: custRef, name: 'Inline', email: 'inline@example.com', phone: '+27123456789' } });
        const cust = await api.get(`/billing/customers/${custRef}`);
        assert.equal(cust.status, 200, cust.text);
        assert.equal(account.customer_id, cust.body.id);
        assert.equal(cust.body.email, 'inline@example.com');
      });

      test('a missing customer answers 400 naming customer', async () => {
        const body = accountBody();
        delete body.customer;
        await rejectsCreate('/billing/accounts', body, 'customer', /required/);
      });

      for (const [label, value] of [['a number', 42], ['an array', ['bcus_x']], ['a boolean', true], ['null', null], ['an empty string', ''], ['a string of 256 characters', 'c'.repeat(256)]] as const) {
        test(`customer that is ${label} answers 400 naming customer`, async () => {
          await rejectsCreate('/billing/accounts', accountBody({ customer: value }), 'customer');
        });
      }

      test('an unknown bcus_ id answers 400 naming customer and creates nothing', async () => {
        await rejectsCreate('/billing/accounts', accountBody({ customer: 'bcus_doesNotExist0000000' }), 'customer');
      });

      test('an unknown customer external reference answers 400 naming customer and creates nothing', async () => {
        await rejectsCreate('/billing/accounts', accountBody({ customer: uniqueRef('NOPE') }), 'customer');
      });

      test('a customer of another tenant answers 400 naming customer, like an unknown one', async () => {
        const other = await server.createTenant('other-validation');
        const otherApi = client(server, other.keys.test.secret);
        const foreign = await otherApi.post('/billing/customers', { external_reference: uniqueRef('FOREIGN') });
        assert.equal(foreign.status, 201, foreign.text);
        await rejectsCreate('/billing/accounts', accountBody({ customer: foreign.body.id }), 'customer');
        await rejectsCreate('/billing/accounts', accountBody({ customer: foreign.body.external_reference }), 'customer');
      });

      test('an inline customer whose external_reference already exists answers 409 #conflict and creates no account', async () => {
        const body = accountBody({ customer: { external_reference: customer.external_reference, name: 'Dup' } });
        const res = await api.post('/billing/accounts', body);
        assertProblem(res, 409, 'conflict');
        const params = paramsOf(res);
        assert.ok(params.every((p) => p.startsWith('customer')), JSON.stringify(params));
        await assertNothingAt('/billing/accounts', body.external_reference);
        const existing = await api.get(`/billing/customers/${customer.external_reference}`);
        assert.equal(existing.body.name, customer.name, 'the existing customer is untouched');
      });

      test('an inline customer with email "nope" answers 400 naming customer.email and creates neither customer nor account', async () => {
        const custRef = uniqueRef('CUS');
        await rejectsCreate('/billing/accounts', accountBody({ customer: { external_reference: custRef, email: 'nope' } }), 'customer.email');
        await assertNothingAt('/billing/customers', custRef);
      });

      const inlineFaults: [string, Body, string][] = [
        ['a phone not in E.164', { phone: '0123456789' }, 'customer.phone'],
        ['a name of 256 characters', { name: 'n'.repeat(256) }, 'customer.name'],
        ['a lowercase currency', { currency: 'zar' }, 'customer.currency'],
        ['a balance without currency', { balance: 100 }, 'customer.currency'],
        ['a fractional balance', { balance: 1.5, currency: 'ZAR' }, 'customer.balance'],
        ['21 metadata keys', { metadata: metadataWith(21) }, 'customer.metadata'],
        ['min_amount > max_amount', { payment_rules: { ...validRules, min_amount: 9999 } }, 'customer.payment_rules.min_amount'],
        ['an external_reference with a space', { external_reference: 'has space' }, 'customer.external_reference'],
      ];
      for (const [label, fields, param] of inlineFaults) {
        test(`an inline customer with ${label} answers 400 naming ${param} and creates neither customer nor account`, async () => {
          const custRef = uniqueRef('CUS');
          await rejectsCreate('/billing/accounts', accountBody({ customer: { external_reference: custRef, ...fields } }), param);
          await assertNothingAt('/billing/customers', custRef);
        });
      }

      test('an inline customer with an unknown field answers 400 naming customer and creates nothing', async () => {
        const custRef = uniqueRef('CUS');
        await rejectsCreate('/billing/accounts', accountBody({ customer: { external_reference: custRef, foo: 1 } }), ['customer', 'customer.foo']);
        await assertNothingAt('/billing/customers', custRef);
      });

      test('an inline customer without external_reference answers 400 naming customer', async () => {
        await rejectsCreate('/billing/accounts', accountBody({ customer: { name: 'No ref' } }), ['customer', 'customer.external_reference']);
      });

      test('a valid inline customer is not created when the account external_reference already exists (409, one transaction)', async () => {
        const existing = await createAccount();
        const custRef = uniqueRef('CUS');
        const res = await api.post('/billing/accounts', { customer: { external_reference: custRef }, external_reference: existing.external_reference });
        assertProblem(res, 409, 'conflict');
        assert.deepEqual(paramsOf(res), ['external_reference']);
        await assertNothingAt('/billing/customers', custRef);
      });

      test('a valid inline customer is not created when the account itself is invalid (balance without currency)', async () => {
        const custRef = uniqueRef('CUS');
        await rejectsCreate('/billing/accounts', accountBody({ customer: { external_reference: custRef }, balance: 10 }), 'currency');
        await assertNothingAt('/billing/customers', custRef);
      });
    });

    describe('customer email and phone', () => {
      test('a valid email and an E.164 phone are accepted', async () => {
        const cust = await createCustomer({ email: 'john.doe@example.com', phone: '+27123456789' });
        assert.equal(cust.email, 'john.doe@example.com');
        assert.equal(cust.phone, '+27123456789');
      });

      test('an email of 255 characters is accepted and one of 256 answers 400 naming email', async () => {
        const email255 = `${'a'.repeat(243)}@example.com`;
        assert.equal(email255.length, 255);
        const cust = await createCustomer({ email: email255 });
        assert.equal(cust.email, email255);
        await rejectsCreate('/billing/customers', customerBody({ email: `a${email255}` }), 'email');
      });

      for (const email of ['nope', 'a@', '@example.com', 'a b@example.com', 'a@@example.com']) {
        test(`email "${email}" answers 400 naming email`, async () => {
          await rejectsCreate('/billing/customers', customerBody({ email }), 'email');
        });
      }

      test('an email that is a number answers 400 naming email', async () => {
        await rejectsCreate('/billing/customers', customerBody({ email: 12 }), 'email');
      });

      for (const phone of ['+12', '+123456789012345']) {
        test(`phone ${phone} is accepted (E.164: + then 2 to 15 digits, no leading 0)`, async () => {
          const cust = await createCustomer({ phone });
          assert.equal(cust.phone, phone);
        });
      }

      for (const phone of ['0123456789', '27123456789', '+0123456789', '+1', '+1234567890123456', '+27 12 345 6789', '+27-123-4567', '+2712345678a', '']) {
        test(`phone "${phone}" answers 400 naming phone`, async () => {
          await rejectsCreate('/billing/customers', customerBody({ phone }), 'phone');
        });
      }

      test('a phone that is a number answers 400 naming phone', async () => {
        await rejectsCreate('/billing/customers', customerBody({ phone: 27123456789 }), 'phone');
      });

      test('a customer PATCH with a bad email or phone answers 400 and changes nothing', async () => {
        const cust = await createCustomer({ email: 'ok@example.com', phone: '+27123456789' });
        await rejectsPatch(`/billing/customers/${cust.id}`, { email: 'nope' }, 'email');
        await rejectsPatch(`/billing/customers/${cust.id}`, { phone: '012345' }, 'phone');
      });
    });

    describe('uniqueness of external_reference', () => {
      test('a duplicate account external_reference answers 409 #conflict naming external_reference, and only one account exists', async () => {
        const first = await createAccount();
        const res = await api.post('/billing/accounts', accountBody({ external_reference: first.external_reference, name: 'second' }));
        assertProblem(res, 409, 'conflict');
        assert.deepEqual(paramsOf(res), ['external_reference']);
        const listed = await listByRef('/billing/accounts', first.external_reference);
        assert.equal(listed.length, 1);
        assert.equal(listed[0].id, first.id);
        assert.equal(listed[0].name, null);
      });

      test('a duplicate customer external_reference answers 409 #conflict naming external_reference, and only one customer exists', async () => {
        const first = await createCustomer();
        const res = await api.post('/billing/customers', customerBody({ external_reference: first.external_reference, name: 'second' }));
        assertProblem(res, 409, 'conflict');
        assert.deepEqual(paramsOf(res), ['external_reference']);
        const listed = await listByRef('/billing/customers', first.external_reference);
        assert.equal(listed.length, 1);
        assert.equal(listed[0].id, first.id);
      });

      test('an account may share its external_reference with a customer (uniqueness is among accounts)', async () => {
        const cust = await createCustomer();
        const account = await createAccount({ external_reference: cust.external_reference });
        assert.equal(account.external_reference, cust.external_reference);
      });
    });

    describe('PATCH rules (seed 004)', () => {
      test('PATCH balance alone is accepted in the account\'s currency; with currency null it answers 400 naming currency and changes nothing', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 1000 });
        await rejectsPatch(`/billing/accounts/${account.id}`, { balance: 2000, currency: null }, 'currency');
        const res = await api.patch(`/billing/accounts/${account.id}`, { balance: 2000 });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.balance, 2000);
        assert.equal(res.body.currency, 'ZAR');
      });

      test('PATCH balance without currency on an account without a balance answers 400 naming currency', async () => {
        const account = await createAccount();
        await rejectsPatch(`/billing/accounts/${account.id}`, { balance: 2000 }, 'currency');
      });

      test('changing the currency of an account that tracks a balance without sending balance answers 400 naming balance', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 1000 });
        await rejectsPatch(`/billing/accounts/${account.id}`, { currency: 'JPY' }, 'balance');
        await rejectsPatch(`/billing/accounts/${account.external_reference}`, { currency: null }, 'balance');
      });

      test('changing the currency together with the balance is accepted', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 1000 });
        const res = await api.patch(`/billing/accounts/${account.id}`, { currency: 'JPY', balance: 10 });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.currency, 'JPY');
        assert.equal(res.body.balance, 10);
      });

      test('changing the currency of an account with no balance is accepted', async () => {
        const account = await createAccount({ currency: 'ZAR' });
        const res = await api.patch(`/billing/accounts/${account.id}`, { currency: 'KWD' });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.currency, 'KWD');
        assert.equal(res.body.balance, null);
      });

      test('PATCH with an invalid currency, balance, name, unknown field or non-updatable field answers 400 and changes nothing', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 1000, name: 'Before' });
        const path = `/billing/accounts/${account.id}`;
        await rejectsPatch(path, { currency: 'zar', balance: 5 }, 'currency');
        await rejectsPatch(path, { currency: 'ZAR', balance: 1.5 }, 'balance');
        await rejectsPatch(path, { currency: 'ZAR', balance: '5' }, 'balance');
        await rejectsPatch(path, { currency: 'ZAR', balance: 9007199254740992 }, 'balance');
        await rejectsPatch(path, { name: 'n'.repeat(256) }, 'name');
        await rejectsPatch(path, { foo: 'bar' }, 'foo');
        await rejectsPatch(path, { external_reference: uniqueRef('NEW') }, 'external_reference');
        await rejectsPatch(path, { customer: customer.id }, 'customer');
        await rejectsPatch(path, { id: 'bacc_other' }, 'id');
      });

      test('a PATCH with a malformed Idempotency-Key answers 400 naming Idempotency-Key and changes nothing', async () => {
        const account = await createAccount({ name: 'Before' });
        await rejectsPatch(`/billing/accounts/${account.id}`, { name: 'After' }, 'Idempotency-Key', { headers: { 'idempotency-key': 'bad key' } });
      });

      test('customer PATCH follows the same balance and currency rules', async () => {
        const cust = await createCustomer({ currency: 'ZAR', balance: 100 });
        await rejectsPatch(`/billing/customers/${cust.id}`, { balance: 200, currency: null }, 'currency');
        const untracked = await createCustomer();
        await rejectsPatch(`/billing/customers/${untracked.id}`, { balance: 200 }, 'currency');
        await rejectsPatch(`/billing/customers/${cust.id}`, { currency: 'JPY' }, 'balance');
        await rejectsPatch(`/billing/customers/${cust.id}`, { external_reference: uniqueRef('NEW') }, 'external_reference');
        const patched = await api.patch(`/billing/customers/${cust.id}`, { balance: 200 });
        assert.equal(patched.status, 200, patched.text);
        assert.deepEqual([patched.body.balance, patched.body.currency], [200, 'ZAR']);
      });

      test('PATCH on an unknown account id or reference answers 404 #not-found with the path as instance', async () => {
        for (const ref of ['bacc_doesNotExist000000000', uniqueRef('NOPE')]) {
          const res = await api.patch(`/billing/accounts/${ref}`, { name: 'x' });
          assertProblem(res, 404, 'not-found');
          assert.equal(res.body.instance, `/billing/accounts/${ref}`);
        }
      });

      test('PATCH on an unknown customer answers 404 #not-found', async () => {
        assertProblem(await api.patch('/billing/customers/bcus_doesNotExist000000000', { name: 'x' }), 404, 'not-found');
        assertProblem(await api.patch(`/billing/customers/${uniqueRef('NOPE')}`, { name: 'x' }), 404, 'not-found');
      });

      test('PATCH on an account of another tenant answers 404 and leaves it unchanged', async () => {
        const other = await server.createTenant('other-patch');
        const otherApi = client(server, other.keys.test.secret);
        const cust = await otherApi.post('/billing/customers', { external_reference: uniqueRef('C') });
        const acc = await otherApi.post('/billing/accounts', { customer: cust.body.id, external_reference: uniqueRef('A'), name: 'Theirs' });
        assert.equal(acc.status, 201, acc.text);
        assertProblem(await api.patch(`/billing/accounts/${acc.body.id}`, { name: 'Mine' }), 404, 'not-found');
        assert.deepEqual((await otherApi.get(`/billing/accounts/${acc.body.id}`)).body, acc.body);
      });
    });

    describe('request bodies that are not JSON objects', () => {
      const notObjects: [string, string][] = [
        ['truncated JSON', '{"external_reference":'],
        ['JSON with a trailing comma', '{"external_reference":"A",}'],
        ['single-quoted JSON', "{'external_reference':'A'}"],
        ['an empty body', ''],
        ['an array', '[]'],
        ['a string', '"x"'],
        ['null', 'null'],
        ['a number', '42'],
        ['true', 'true'],
      ];
      for (const path of ['/billing/accounts', '/billing/customers']) {
        for (const [label, raw] of notObjects) {
          test(`POST ${path} with ${label} answers 400 #validation-error`, async () => {
            const res = await api.post(path, undefined, { rawBody: raw });
            assertProblem(res, 400, 'validation-error');
            assert.equal(res.body.instance, path);
          });
        }
      }

      test('PATCH with malformed JSON or a non-object answers 400 and changes nothing', async () => {
        const account = await createAccount({ name: 'Before' });
        const path = `/billing/accounts/${account.id}`;
        for (const raw of ['{"name":', '[]', '"x"', 'null']) {
          const res = await api.patch(path, undefined, { rawBody: raw });
          assertProblem(res, 400, 'validation-error');
        }
        assert.deepEqual((await api.get(path)).body, account);
      });

      for (const contentType of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
        test(`POST with Content-Type ${contentType} answers 415 #unsupported-media-type and creates nothing`, async () => {
          const body = accountBody();
          const res = await api.post('/billing/accounts', undefined, { rawBody: JSON.stringify(body), headers: { 'content-type': contentType } });
          assertProblem(res, 415, 'unsupported-media-type');
          await assertNothingAt('/billing/accounts', body.external_reference);
        });
      }

      test('PATCH with Content-Type text/plain answers 415 and changes nothing', async () => {
        const account = await createAccount({ name: 'Before' });
        const res = await api.patch(`/billing/accounts/${account.id}`, undefined, { rawBody: '{"name":"After"}', headers: { 'content-type': 'text/plain' } });
        assertProblem(res, 415, 'unsupported-media-type');
        assert.deepEqual((await api.get(`/billing/accounts/${account.id}`)).body, account);
      });

      test('a body over 1 MiB answers 413 #payload-too-large and creates nothing', async () => {
        const body = accountBody({ name: 'x'.repeat(1024 * 1024 + 10) });
        const res = await api.post('/billing/accounts', body);
        assertProblem(res, 413, 'payload-too-large');
        await assertNothingAt('/billing/accounts', body.external_reference);
      });
    });

    describe('list queries', () => {
      let ledgerPath: string;
      before(async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 100 });
        ledgerPath = `/billing/accounts/${account.id}/ledger_entries`;
      });

      const lists = () => ['/billing/accounts', '/billing/customers', ledgerPath];

      for (const limit of ['0', '101', 'abc', '-1', '1.5', '']) {
        test(`limit=${limit} answers 400 naming limit on every list`, async () => {
          for (const path of lists()) assertInvalid(await api.get(`${path}?limit=${limit}`), 'limit');
        });
      }

      test('limit=1 and limit=100 are accepted and bound the page', async () => {
        await createAccount();
        await createAccount();
        for (const path of lists()) {
          const one = await api.get(`${path}?limit=1`);
          assert.equal(one.status, 200, one.text);
          assert.equal(one.body.object, 'list');
          assert.ok(one.body.data.length <= 1);
          const hundred = await api.get(`${path}?limit=100`);
          assert.equal(hundred.status, 200, hundred.text);
          assert.ok(hundred.body.data.length <= 100);
        }
        const accounts = await api.get('/billing/accounts?limit=1');
        assert.equal(accounts.body.data.length, 1);
        assert.equal(accounts.body.has_more, true);
      });

      test('an unknown query parameter answers 400 naming it on every list', async () => {
        for (const path of lists()) assertInvalid(await api.get(`${path}?foo=1`), 'foo');
        assertInvalid(await api.get('/billing/customers?customer_id=x'), 'customer_id');
      });

      test('starting_after and ending_before together answer 400', async () => {
        const a = await createAccount();
        const b = await createAccount();
        assertInvalid(await api.get(`/billing/accounts?starting_after=${a.id}&ending_before=${b.id}`), ['starting_after', 'ending_before']);
        const c = await createCustomer();
        assertInvalid(await api.get(`/billing/customers?starting_after=${c.id}&ending_before=${customer.id}`), ['starting_after', 'ending_before']);
      });

      test('an unknown cursor id answers 400 naming the cursor', async () => {
        for (const path of lists()) {
          assertInvalid(await api.get(`${path}?starting_after=bacc_unknown0000000000000`), 'starting_after');
          assertInvalid(await api.get(`${path}?ending_before=bcus_unknown0000000000000`), 'ending_before');
        }
        assertInvalid(await api.get('/billing/accounts?starting_after='), 'starting_after');
      });

      test('a cursor of the wrong kind (a customer id on the account list) answers 400', async () => {
        assertInvalid(await api.get(`/billing/accounts?starting_after=${customer.id}`), 'starting_after');
      });

      for (const bad of ['yesterday', '2026-13-01T00:00:00Z', '2026-01-01T25:00:00Z', '-1', '1e9', '01/02/2026', '']) {
        test(`created[gte]=${bad} and created[lte]=${bad} answer 400 naming the filter`, async () => {
          const q = encodeURIComponent(bad);
          assertInvalid(await api.get(`/billing/accounts?created[gte]=${q}`), 'created[gte]');
          assertInvalid(await api.get(`/billing/accounts?created[lte]=${q}`), 'created[lte]');
          assertInvalid(await api.get(`/billing/customers?created[gte]=${q}`), 'created[gte]');
        });
      }

      test('an impossible calendar date in created[gte] (2026-02-30) answers 400 rather than meaning another day', async () => {
        assertInvalid(await api.get('/billing/accounts?created[gte]=2026-02-30T00:00:00Z'), 'created[gte]');
      });

      test('created[gte]/created[lte] accept ISO 8601 and Unix seconds, and filter by them', async () => {
        const account = await createAccount();
        const ref = account.external_reference;
        const createdMs = Date.parse(account.created_at);
        const secondsBefore = Math.floor(createdMs / 1000) - 60;
        const query = async (filter: string) => {
          const res = await api.get(`/billing/accounts?external_reference=${ref}&${filter}`);
          assert.equal(res.status, 200, `${filter}: ${res.text}`);
          return res.body.data.map((a: { id: string }) => a.id);
        };
        assert.deepEqual(await query(`created[gte]=${secondsBefore}`), [account.id]);
        assert.deepEqual(await query(`created[gte]=${encodeURIComponent(new Date(createdMs - 60_000).toISOString())}`), [account.id]);
        assert.deepEqual(await query('created[gte]=4102444800'), []);
        assert.deepEqual(await query('created[gte]=2100-01-01T00:00:00.000Z'), []);
        assert.deepEqual(await query('created[lte]=2000-01-01T00:00:00.000Z'), []);
        assert.deepEqual(await query(`created[lte]=${secondsBefore}`), []);
        assert.deepEqual(await query('created[lte]=2100-01-01'), [account.id]);
      });

      test('list filters longer than 255 characters answer 400 naming the filter', async () => {
        assertInvalid(await api.get(`/billing/accounts?external_reference=${'r'.repeat(256)}`), 'external_reference');
        assertInvalid(await api.get(`/billing/accounts?customer_id=${'c'.repeat(256)}`), 'customer_id');
        assertInvalid(await api.get(`/billing/customers?email=${'e'.repeat(256)}`), 'email');
      });

      test('the ledger of an unknown account answers 404 #not-found', async () => {
        assertProblem(await api.get('/billing/accounts/bacc_unknown0000000000000/ledger_entries'), 404, 'not-found');
      });
    });

    describe('NUL characters (PostgreSQL text cannot hold them)', () => {
      test('a customer reference containing a NUL character answers 400 naming customer, like any unknown customer', async () => {
        await rejectsCreate('/billing/accounts', accountBody({ customer: 'x\u0000y' }), 'customer');
      });

      // docs/decisions.md: NUL is refused in every path parameter, query value and body string.
      test('GET of a reference containing a NUL character answers 400 naming the path parameter', async () => {
        assertInvalid(await api.get('/billing/accounts/%00'), 'account');
        assertInvalid(await api.get('/billing/customers/a%00b'), 'customer');
      });

      test('PATCH of a reference containing a NUL character answers 400 naming the path parameter', async () => {
        assertInvalid(await api.patch('/billing/accounts/a%00b', { name: 'x' }), 'account');
      });

      test('a cursor containing a NUL character answers 400 naming the cursor', async () => {
        assertInvalid(await api.get('/billing/customers?starting_after=%00'), 'starting_after');
        assertInvalid(await api.get('/billing/accounts?ending_before=a%00'), 'ending_before');
      });

      test('a list filter containing a NUL character finds nothing or answers 400, never 5xx', async () => {
        for (const path of ['/billing/accounts?external_reference=%00', '/billing/accounts?customer_id=bcus_%00', '/billing/customers?email=a%00%40example.com']) {
          const res = await api.get(path);
          if (res.status === 200) assert.deepEqual(res.body.data, [], path);
          else assertProblem(res, 400, 'validation-error');
        }
      });

      test('a name containing a NUL character is either stored exactly or rejected with 400 naming name, never 5xx', async () => {
        const body = accountBody({ name: 'a\u0000b' });
        const res = await api.post('/billing/accounts', body);
        if (res.status === 201) {
          assert.equal((await api.get(`/billing/accounts/${res.body.id}`)).body.name, 'a\u0000b');
        } else {
          assertInvalid(res, 'name');
          await assertNothingAt('/billing/accounts', body.external_reference);
        }
      });

      test('an inline customer name containing a NUL character is stored exactly or rejected with 400, and nothing is half-written', async () => {
        const custRef = uniqueRef('CUS');
        const body = accountBody({ customer: { external_reference: custRef, name: 'a\u0000b' } });
        const res = await api.post('/billing/accounts', body);
        if (res.status === 201) {
          assert.equal((await api.get(`/billing/customers/${custRef}`)).body.name, 'a\u0000b');
        } else {
          assertInvalid(res, 'customer.name');
          await assertNothingAt('/billing/accounts', body.external_reference);
          await assertNothingAt('/billing/customers', custRef);
        }
      });
    });

    describe('lone UTF-16 surrogates (each store would mend them differently)', () => {
      const lone: [string, string][] = [['a lone high surrogate', 'a\ud800b'], ['a lone low surrogate', '\udc00'], ['a reversed pair', '\udc00\ud800']];
      for (const [label, text] of lone) {
        test(`${label} in a name, a metadata value or key, or an inline customer field answers 400 naming it and creates nothing`, async () => {
          await rejectsCreate('/billing/accounts', accountBody({ name: text }), 'name', /surrogate/);
          await rejectsCreate('/billing/customers', customerBody({ name: text }), 'name', /surrogate/);
          await rejectsCreate('/billing/accounts', accountBody({ metadata: { order: text } }), 'metadata.order', /surrogate/);
          await rejectsCreate('/billing/accounts', accountBody({ metadata: { [text]: 'v' } }), 'metadata', /surrogate/);
          const custRef = uniqueRef('CUS');
          await rejectsCreate('/billing/accounts', accountBody({ customer: { external_reference: custRef, name: text } }), 'customer.name', /surrogate/);
          await assertNothingAt('/billing/customers', custRef);
          await rejectsCreate('/billing/accounts', accountBody({ customer: text }), 'customer', /surrogate/);
        });
      }

      test('a lone surrogate in a PATCH answers 400 and changes nothing', async () => {
        const account = await createAccount({ name: 'Before' });
        await rejectsPatch(`/billing/accounts/${account.id}`, { name: 'x\ud800' }, 'name');
        await rejectsPatch(`/billing/customers/${customer.id}`, { metadata: { k: '\udfff' } }, 'metadata.k');
      });

      test('a well-formed surrogate pair (an emoji) is stored and read back exactly', async () => {
        const account = await createAccount({ name: 'pay \ud83d\udcb8', metadata: { note: '\ud83d\ude00' } });
        const read = await api.get(`/billing/accounts/${account.id}`);
        assert.equal(read.body.name, 'pay \u{1F4B8}');
        assert.equal(read.body.metadata.note, '\u{1F600}');
      });
    });

    describe('assorted bad input never answers 5xx', () => {
      const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
      type BadRequest = { method: 'GET' | 'POST' | 'PATCH'; path: string; body?: unknown; raw?: string; headers?: Record<string, string> };
      // Each request is built when its test runs, after the shared customer exists.
      const cases: [string, () => BadRequest][] = [
        ['truncated JSON', () => ({ method: 'POST', path: '/billing/accounts', raw: '{' })],
        ['a JSON value missing', () => ({ method: 'POST', path: '/billing/accounts', raw: '{"customer":}' })],
        ['two JSON documents', () => ({ method: 'POST', path: '/billing/accounts', raw: '{}{}' })],
        ['a __proto__ key', () => ({ method: 'POST', path: '/billing/customers', raw: `{"external_reference":"${uniqueRef('P')}","__proto__":{"admin":true}}` })],
        ['a constructor.prototype key', () => ({ method: 'POST', path: '/billing/customers', raw: `{"external_reference":"${uniqueRef('P')}","constructor":{"prototype":{"x":1}}}` })],
        ['a metadata value nested 5000 arrays deep, with an Idempotency-Key', () => ({ method: 'POST', path: '/billing/accounts', raw: `{"customer":"${customer.id}","external_reference":"${uniqueRef('D')}","metadata":{"a":${deep(5000)}}}` })],
        ['an unknown field nested 5000 arrays deep, on a PATCH with an Idempotency-Key', () => ({ method: 'PATCH', path: `/billing/customers/${customer.id}`, raw: `{"x":${deep(5000)}}`, headers: { 'idempotency-key': randomUUID() } })],
        ['balance -1e400', () => ({ method: 'POST', path: '/billing/accounts', raw: `{"customer":"${customer.id}","external_reference":"${uniqueRef('B')}","currency":"ZAR","balance":-1e400}` })],
        ['balance as a hex string', () => ({ method: 'POST', path: '/billing/accounts', body: accountBody({ currency: 'ZAR', balance: '0x10' }) })],
        ['min_amount 1e300', () => ({ method: 'POST', path: '/billing/accounts', body: accountBody({ payment_rules: { ...validRules, min_amount: 1e300 } }) })],
        ['payment_rules {}', () => ({ method: 'POST', path: '/billing/customers', body: customerBody({ payment_rules: {} }) })],
        ['1000 metadata keys', () => ({ method: 'POST', path: '/billing/accounts', body: accountBody({ metadata: metadataWith(1000, 'm') }) })],
        ['an empty metadata key', () => ({ method: 'POST', path: '/billing/accounts', body: accountBody({ metadata: { '': 'x' } }) })],
        ['a null metadata value on create', () => ({ method: 'POST', path: '/billing/customers', body: customerBody({ metadata: { a: null } }) })],
        ['a 41-emoji metadata key', () => ({ method: 'POST', path: '/billing/accounts', body: accountBody({ metadata: { ['😀'.repeat(41)]: 'x' } }) })],
        ['an external_reference of 10000 characters', () => ({ method: 'POST', path: '/billing/accounts', body: accountBody({ external_reference: 'r'.repeat(10000) }) })],
        ['a name of 100000 characters', () => ({ method: 'POST', path: '/billing/customers', body: customerBody({ name: 'n'.repeat(100000) }) })],
        ['an inline customer nesting another customer', () => ({ method: 'POST', path: '/billing/accounts', body: accountBody({ customer: { external_reference: uniqueRef('C'), customer: { external_reference: uniqueRef('C') } } }) })],
        ['an external_reference containing a NUL character', () => ({ method: 'POST', path: '/billing/customers', body: customerBody({ external_reference: 'a\u0000b' }) })],
        ['a currency containing a NUL character', () => ({ method: 'POST', path: '/billing/customers', body: customerBody({ currency: 'Z\u0000R' }) })],
        ['a PATCH of balance -1e400', () => ({ method: 'PATCH', path: `/billing/customers/${customer.id}`, raw: '{"currency":"ZAR","balance":-1e400}' })],
        ['a PATCH body that is an array of objects', () => ({ method: 'PATCH', path: `/billing/customers/${customer.id}`, raw: '[{"name":"x"}]' })],
        ['an Idempotency-Key of 10000 characters', () => ({ method: 'POST', path: '/billing/customers', body: customerBody(), headers: { 'idempotency-key': 'k'.repeat(10000) } })],
        ['a path with malformed percent-encoding', () => ({ method: 'GET', path: '/billing/accounts/%E0%A4%A' })],
        ['a repeated limit', () => ({ method: 'GET', path: '/billing/accounts?limit=1&limit=2' })],
        ['created[gte] of 20 digits', () => ({ method: 'GET', path: '/billing/accounts?created[gte]=99999999999999999999' })],
        ['an inline customer given as an array of objects', () => ({ method: 'POST', path: '/billing/accounts', body: accountBody({ customer: [{ external_reference: uniqueRef('C') }] }) })],
        ['payment_rules nested in an array inside the rules', () => ({ method: 'POST', path: '/billing/customers', body: customerBody({ payment_rules: { ...validRules, min_amount: [1] } }) })],
        ['a PATCH setting balance to true', () => ({ method: 'PATCH', path: `/billing/customers/${customer.id}`, body: { currency: 'ZAR', balance: true } })],
        ['an email that is an object', () => ({ method: 'POST', path: '/billing/customers', body: customerBody({ email: { address: 'a@example.com' } }) })],
        ['a PATCH of an unknown reference with a bad body', () => ({ method: 'PATCH', path: '/billing/accounts/nope', body: { balance: 'x' } })],
      ];

      for (const [name, build] of cases) {
        test(`${name} answers a 4xx in the problem+json shape, never a 5xx`, async () => {
          const c = build();
          const options: RequestOptions = { key: server.tenant.keys.test.secret, headers: c.headers };
          if (c.method === 'POST' && !c.headers?.['idempotency-key']) options.idempotencyKey = randomUUID();
          if (c.raw !== undefined) options.rawBody = c.raw;
          const res = await call(server, c.method, c.path, c.body, options);
          assert.ok(res.status >= 400 && res.status <= 499, `${c.method} ${c.path} answered ${res.status}: ${res.text.slice(0, 300)}`);
          assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json(;|$)/, `content-type for ${name}: ${res.text.slice(0, 200)}`);
          assert.equal(res.body.status, res.status);
          assert.match(String(res.body.type), /\/docs\/errors#[a-z-]+$/);
          assert.equal(res.body.request_id, res.headers.get('request-id'));
        });
      }

      test('the shared customer is unchanged after every bad PATCH above', async () => {
        const read = await api.get(`/billing/customers/${customer.id}`);
        assert.deepEqual(read.body, customer);
      });
    });
  });
}

