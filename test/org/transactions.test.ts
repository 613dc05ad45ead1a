import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { storeKinds } from '../support/stores.js';
import { orgSuite, uniqueName, usd } from './org-client.js';

// Org transactions (SPEC §5): topups, adjustments and data instances are postings on the
// ledger; debits other than adjustments never overdraw; lists newest first with filters.

for (const kind of await storeKinds()) {
  describe(`org transactions (${kind})`, () => {
    const suite = orgSuite(kind);

    const newAccount = async () => (await suite.api.post('/v1/accounts', { name: uniqueName(), currencyCode: 'USD' })).body.account.accountId as string;
    const post = (id: string, body: object) => suite.api.post(`/v1/accounts/${id}/transactions`, body);

    test('each kind is answered with its own sub-object and the running balance after it', async () => {
      const id = await newAccount();
      const topup = await post(id, { amount: usd(100), description: 'funding', topup: { reference: 'INV-1', paymentType: 'BACS' } });
      assert.equal(topup.status, 200, topup.text);
      assert.match(topup.body.transaction.transactionId, /^ble_/);
      assert.deepEqual(topup.body.transaction.topup, { reference: 'INV-1', paymentType: 'BACS' });
      assert.equal(topup.body.transaction.description, 'funding');
      assert.deepEqual(topup.body.transaction.balance, usd(100));
      const data = await post(id, { amount: usd(-30), dataInstance: { dataInstanceId: 'di-42' } });
      assert.deepEqual(data.body.transaction.dataInstance, { dataInstanceId: 'di-42' });
      assert.deepEqual(data.body.transaction.balance, usd(70));
      const adjustment = await post(id, { amount: usd(-5), adjustment: { reason: 'fee' } });
      assert.deepEqual(adjustment.body.transaction.adjustment, { reason: 'fee' });
      assert.deepEqual(adjustment.body.transaction.balance, usd(65));
      assert.deepEqual((await suite.api.get(`/v1/accounts/${id}`)).body.account.balance, usd(65));
      // The ledger agrees: the account's balance row and its chain of entries.
      const scope = { tenantId: suite.server.tenant.tenant.id, mode: 'test' as const };
      const chain = await suite.server.services.store.reader.ledger.chain(scope, id, 'USD');
      assert.deepEqual(chain.map((e) => e.kind), ['topup', 'dataInstance', 'adjustment']);
      assert.equal(chain.at(-1)!.balanceAfter, 65n * 10n ** 9n);
      assert.ok(chain.every((e) => e.counterparty === 'external'));
    });

    test('a debit that is not an adjustment and would overdraw answers 400 FAILED_PRECONDITION and changes nothing; an adjustment may go below zero', async () => {
      const id = await newAccount();
      await post(id, { amount: usd(10), topup: { paymentType: 'API' } });
      for (const body of [{ amount: usd(-11), dataInstance: { dataInstanceId: 'd' } }, { amount: usd(-11), topup: { paymentType: 'API' } }]) {
        const refused = await post(id, body);
        assert.equal(refused.status, 400, refused.text);
        assert.equal(refused.body.code, 9);
      }
      assert.deepEqual((await suite.api.get(`/v1/accounts/${id}`)).body.account.balance, usd(10));
      assert.equal((await suite.api.get(`/v1/accounts/${id}/transactions`)).body.transactions.length, 1);
      const exact = await post(id, { amount: usd(-10), dataInstance: { dataInstanceId: 'd' } });
      assert.deepEqual(exact.body.transaction.balance, usd(0));
      const negative = await post(id, { amount: usd(-3), adjustment: {} });
      assert.equal(negative.status, 200, negative.text);
      assert.deepEqual(negative.body.transaction.balance, usd(-3));
    });

    test('exactly one of topup, adjustment or dataInstance; an unknown payment type or account is refused', async () => {
      const id = await newAccount();
      const cases: [object, number, string][] = [
        [{ amount: usd(1) }, 400, 'type'],
        [{ amount: usd(1), topup: { paymentType: 'API' }, adjustment: {} }, 400, 'type'],
        [{ amount: usd(1), topup: { paymentType: 'CASH' } }, 400, 'topup.paymentType'],
        [{ amount: usd(1), dataInstance: {} }, 400, 'dataInstance.dataInstanceId'],
        [{ topup: { paymentType: 'API' } }, 400, 'amount'],
      ];
      for (const [body, status, field] of cases) {
        const answer = await post(id, body);
        assert.equal(answer.status, status, `${JSON.stringify(body)}: ${answer.text}`);
        assert.ok(answer.body.details[0].fieldViolations.some((v: { field: string }) => v.field === field), `${JSON.stringify(body)} names ${field}: ${answer.text}`);
      }
      assert.equal((await post('oacc_0000000000000000000000', { amount: usd(1), topup: { paymentType: 'API' } })).status, 404);
    });

    test('20 concurrent top-ups of 1 give exactly 20', async () => {
      const id = await newAccount();
      const answers = await Promise.all(Array.from({ length: 20 }, () => post(id, { amount: usd(1), topup: { paymentType: 'API' } })));
      assert.deepEqual(answers.map((a) => a.status), Array(20).fill(200));
      assert.deepEqual((await suite.api.get(`/v1/accounts/${id}`)).body.account.balance, usd(20));
      const balances = answers.map((a) => Number(a.body.transaction.balance.units)).sort((a, b) => a - b);
      assert.deepEqual(balances, Array.from({ length: 20 }, (_, i) => i + 1), 'each saw its own running balance');
    });

    test('concurrent debits never overdraw: of 15 debits of 1 against 10, exactly 10 succeed', async () => {
      const id = await newAccount();
      await post(id, { amount: usd(10), topup: { paymentType: 'API' } });
      const answers = await Promise.all(Array.from({ length: 15 }, () => post(id, { amount: usd(-1), dataInstance: { dataInstanceId: 'd' } })));
      assert.equal(answers.filter((a) => a.status === 200).length, 10);
      assert.ok(answers.filter((a) => a.status !== 200).every((a) => a.status === 400 && a.body.code === 9));
      assert.deepEqual((await suite.api.get(`/v1/accounts/${id}`)).body.account.balance, usd(0));
    });

    test('list: newest first, credit filter, inclusive dateRange, pages with tokens bound to their filters', async () => {
      const id = await newAccount();
      const made = [];
      for (const units of [5, -1, 7, -2, 9]) {
        const body = units > 0 ? { amount: usd(units), topup: { paymentType: 'PAYPAL' } } : { amount: usd(units), dataInstance: { dataInstanceId: 'd' } };
        made.push((await post(id, body)).body.transaction);
      }
      const all = await suite.api.get(`/v1/accounts/${id}/transactions`);
      assert.deepEqual(all.body.transactions.map((t: { transactionId: string }) => t.transactionId), made.map((t) => t.transactionId).reverse());
      assert.equal(all.body.nextPageToken, '');
      const credits = await suite.api.get(`/v1/accounts/${id}/transactions?credit=true`);
      assert.deepEqual(credits.body.transactions.map((t: { amount: { units: string } }) => t.amount.units), ['9', '7', '5']);
      const debits = await suite.api.get(`/v1/accounts/${id}/transactions?credit=false`);
      assert.deepEqual(debits.body.transactions.map((t: { amount: { units: string } }) => t.amount.units), ['-2', '-1']);
      const from = made[1].createTime;
      const to = made[3].createTime;
      const ranged = await suite.api.get(`/v1/accounts/${id}/transactions?dateRange.from=${from}&dateRange.to=${to}`);
      const inRange = made.filter((t) => t.createTime >= from && t.createTime <= to).map((t) => t.transactionId).reverse();
      assert.deepEqual(ranged.body.transactions.map((t: { transactionId: string }) => t.transactionId), inRange);
      assert.ok(inRange.includes(made[1].transactionId) && inRange.includes(made[3].transactionId), 'both bounds are inclusive');
      const page1 = await suite.api.get(`/v1/accounts/${id}/transactions?pageSize=2&credit=true`);
      assert.equal(page1.body.transactions.length, 2);
      const token = encodeURIComponent(page1.body.nextPageToken);
      const page2 = await suite.api.get(`/v1/accounts/${id}/transactions?pageSize=2&credit=true&pageToken=${token}`);
      assert.deepEqual(page2.body.transactions.map((t: { amount: { units: string } }) => t.amount.units), ['5']);
      assert.equal(page2.body.nextPageToken, '');
      assert.equal((await suite.api.get(`/v1/accounts/${id}/transactions?pageSize=2&credit=false&pageToken=${token}`)).status, 400, 'another filter, another list');
      const other = await newAccount();
      assert.equal((await suite.api.get(`/v1/accounts/${other}/transactions?pageSize=2&credit=true&pageToken=${token}`)).status, 400, 'another account, another list');
      const bad = await suite.api.get(`/v1/accounts/${id}/transactions?dateRange.from=yesterday`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.details[0].fieldViolations[0].field, 'dateRange.from');
      assert.equal((await suite.api.get(`/v1/accounts/${id}/transactions?dateRange.from=${to}&dateRange.to=${from}`)).status, from === to ? 200 : 400);
    });

    test('a retried transaction with the same Idempotency-Key posts once', async () => {
      const id = await newAccount();
      const key = `txn-${Date.now()}`;
      const body = { amount: usd(3), topup: { paymentType: 'API' } };
      const first = await suite.api.post(`/v1/accounts/${id}/transactions`, body, { idempotencyKey: key });
      const retry = await suite.api.post(`/v1/accounts/${id}/transactions`, body, { idempotencyKey: key });
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(retry.body, first.body);
      assert.deepEqual((await suite.api.get(`/v1/accounts/${id}`)).body.account.balance, usd(3));
    });
  });
}
