import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { storeKinds } from '../support/stores.js';
import { orgSuite, uniqueName, usd } from './org-client.js';

// google.type.Money on the org surface, exactly (SPEC §2 "Money is exact", §5; seed 003): int64
// units as JSON strings, nanos with the sign of units, the full int64 range, no wrap.

const INT64_MAX = '9223372036854775807';
const INT64_MIN = '-9223372036854775808';

for (const kind of await storeKinds()) {
  describe(`org money (${kind})`, () => {
    const suite = orgSuite(kind);

    const newAccount = async (currencyCode = 'USD') => {
      const created = await suite.api.post('/v1/accounts', { name: uniqueName(), currencyCode });
      assert.equal(created.status, 200, created.text);
      return created.body.account.accountId as string;
    };
    const post = (id: string, amount: unknown, kindOf: object = { adjustment: { reason: 'test' } }) => suite.api.post(`/v1/accounts/${id}/transactions`, { amount, ...kindOf });

    test('0.1 + 0.2 is exactly 0.3, and nanos carry into units', async () => {
      const id = await newAccount();
      await post(id, usd(0, 100_000_000));
      const second = await post(id, usd(0, 200_000_000));
      assert.deepEqual(second.body.transaction.balance, usd(0, 300_000_000));
      const carried = await post(id, usd(0, 700_000_000));
      assert.deepEqual(carried.body.transaction.balance, usd(1, 0));
      const more = await post(id, usd(2, 999_999_999));
      assert.deepEqual(more.body.transaction.balance, usd(3, 999_999_999));
      assert.deepEqual((await post(id, usd(0, 1))).body.transaction.balance, usd(4, 0));
    });

    test('units go out as a JSON string; numbers and strings are both accepted on input, and zero fields may be left out', async () => {
      const id = await newAccount();
      const asNumber = await post(id, { currencyCode: 'USD', units: 5, nanos: 0 });
      assert.equal(asNumber.status, 200, asNumber.text);
      assert.equal(typeof asNumber.body.transaction.amount.units, 'string');
      const asString = await post(id, { currencyCode: 'USD', units: '5' });
      assert.deepEqual(asString.body.transaction.balance, usd(10, 0));
      const nanosOnly = await post(id, { currencyCode: 'USD', nanos: -250000000 });
      assert.deepEqual(nanosOnly.body.transaction.balance, usd(9, 750_000_000));
    });

    test('negative amounts: $-1.75 is units -1 and nanos -750000000, and a balance below zero shows both negative', async () => {
      const id = await newAccount();
      const debit = await post(id, { currencyCode: 'USD', units: '-1', nanos: -750_000_000 });
      assert.equal(debit.status, 200, debit.text);
      assert.deepEqual(debit.body.transaction.balance, { currencyCode: 'USD', units: '-1', nanos: -750_000_000 });
      const partial = await post(id, usd(1, 0));
      assert.deepEqual(partial.body.transaction.balance, { currencyCode: 'USD', units: '0', nanos: -750_000_000 });
    });

    test('sign and range rules of nanos are enforced, each naming its field', async () => {
      const id = await newAccount();
      const cases: [unknown, string][] = [
        [{ currencyCode: 'USD', units: '1', nanos: -1 }, 'amount.nanos'],
        [{ currencyCode: 'USD', units: '-1', nanos: 1 }, 'amount.nanos'],
        [{ currencyCode: 'USD', units: '0', nanos: 1_000_000_000 }, 'amount.nanos'],
        [{ currencyCode: 'USD', units: '0', nanos: -1_000_000_000 }, 'amount.nanos'],
        [{ currencyCode: 'USD', units: '1.5', nanos: 0 }, 'amount.units'],
        [{ currencyCode: 'USD', units: 'ten', nanos: 0 }, 'amount.units'],
        [{ currencyCode: 'USD', units: 1.5, nanos: 0 }, 'amount.units'],
        [{ currencyCode: 'USD', units: 2 ** 60, nanos: 0 }, 'amount.units'],
        [{ currencyCode: 'USD', units: '9223372036854775808', nanos: 0 }, 'amount.units'],
        [{ currencyCode: 'USD', units: '-9223372036854775809', nanos: 0 }, 'amount.units'],
        [{ currencyCode: 'usd', units: '1', nanos: 0 }, 'amount.currencyCode'],
        [{ currencyCode: 'XYZ', units: '1', nanos: 0 }, 'amount.currencyCode'],
        [{ currencyCode: 'EUR', units: '1', nanos: 0 }, 'amount.currencyCode'],
        [{ currencyCode: 'USD', units: '0', nanos: 0 }, 'amount'],
        [{ currencyCode: 'USD', units: '1', nanos: 0, extra: 1 }, 'amount.extra'],
      ];
      for (const [amount, field] of cases) {
        const answer = await post(id, amount);
        assert.equal(answer.status, 400, `${JSON.stringify(amount)}: ${answer.text}`);
        assert.equal(answer.body.code, 3);
        const violations = answer.body.details[0].fieldViolations as { field: string }[];
        assert.ok(violations.some((v) => v.field === field), `${JSON.stringify(amount)} names ${field}: ${answer.text}`);
      }
      assert.deepEqual((await suite.api.get(`/v1/accounts/${id}`)).body.account.balance, usd(0, 0), 'nothing was posted');
    });

    test('the int64 edges of units work, and overflow is refused, never wrapped', async () => {
      const id = await newAccount();
      const top = await post(id, { currencyCode: 'USD', units: INT64_MAX, nanos: 999_999_999 });
      assert.equal(top.status, 200, top.text);
      assert.deepEqual(top.body.transaction.balance, { currencyCode: 'USD', units: INT64_MAX, nanos: 999_999_999 });
      const over = await post(id, usd(0, 1));
      assert.equal(over.status, 400, over.text);
      assert.equal(over.body.code, 3);
      const read = await suite.api.get(`/v1/accounts/${id}`);
      assert.deepEqual(read.body.account.balance, { currencyCode: 'USD', units: INT64_MAX, nanos: 999_999_999 }, 'the refused posting changed nothing');

      const low = await newAccount();
      const bottom = await post(low, { currencyCode: 'USD', units: INT64_MIN, nanos: -999_999_999 });
      assert.equal(bottom.status, 200, bottom.text);
      assert.deepEqual(bottom.body.transaction.balance, { currencyCode: 'USD', units: INT64_MIN, nanos: -999_999_999 });
      assert.equal((await post(low, { currencyCode: 'USD', units: '-1' })).status, 400);
      // Back from the bottom edge to zero in one exact step, 94 bits wide.
      const back = await post(low, { currencyCode: 'USD', units: INT64_MAX, nanos: 999_999_999 });
      assert.deepEqual(back.body.transaction.balance, { currencyCode: 'USD', units: '-1', nanos: 0 });
    });

    test('a currency without minor units (JPY) and one with three (KWD) still take nanos exactly', async () => {
      const jpy = await newAccount('JPY');
      const answer = await post(jpy, { currencyCode: 'JPY', units: '100', nanos: 500_000_000 });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body.transaction.balance, { currencyCode: 'JPY', units: '100', nanos: 500_000_000 });
      const kwd = await newAccount('KWD');
      assert.deepEqual((await post(kwd, { currencyCode: 'KWD', units: '0', nanos: 1 })).body.transaction.balance, { currencyCode: 'KWD', units: '0', nanos: 1 });
    });
  });
}
