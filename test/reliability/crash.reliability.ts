import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openDatabase } from '../../src/store/dialects.js';
import { call, type ApiResponse } from '../support/http.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.js';
import { mapConcurrent, ServeProcesses, timedRequest, waitFor, type ServeProcess } from './harness.js';

// SPEC §6 "Reliability" and §2 "Idempotency": kill -9 of the server under concurrent create
// load loses no request that was answered 2xx, and retrying every request (answered, failed or
// cut off) with its own Idempotency-Key after the restart creates nothing twice.
// Everything is real: `subledger serve` processes on a SQLite file or a PostgreSQL database.

const WORKERS = 20;
/** The server is killed once this many creates were answered 2xx (requests are still in flight). */
const KILL_AFTER_ANSWERED = 300;
const TEST_TIMEOUT = { timeout: 180_000 };
const REQUEST_TIMEOUT_MS = 30_000;

interface CreateRequest {
  index: number;
  key: string;
  ref: string;
  /** The inline customer's external reference, for requests that create their customer too. */
  customerRef: string | null;
  body: Record<string, unknown>;
  outcome: 'pending' | 'answered' | 'failed' | 'timeout';
  response?: ApiResponse;
  error?: string;
}

const processes = new ServeProcesses();
after(() => processes.killAll());

for (const kind of await storeKinds()) {
  describe(`SIGKILL under concurrent create load (${kind})`, { concurrency: 1 }, () => {
    let database: TestDatabase;
    let secret: string;
    let sharedCustomerId: string;
    let requests: CreateRequest[] = [];
    let restarted: ServeProcess | undefined;
    let base: string;

    before(async () => {
      database = await createTestDatabase(kind);
    });
    after(async () => {
      await restarted?.sigkill();
      await database.drop();
    });

    const newRequest = (index: number): CreateRequest => {
      const tag = randomUUID().slice(0, 8);
      // A third of the requests create their customer inline (customer + account + ledger entry
      // + events in one transaction); the others use the shared customer.
      const customerRef = index % 3 === 0 ? `CUS-${index}-${tag}` : null;
      const balance = index % 2 === 0 ? 0 : index * 100 - 7;
      return {
        index,
        key: `crash-${index}-${tag}`,
        ref: `ACC-${index}-${tag}`,
        customerRef,
        body: {
          customer: customerRef ? { external_reference: customerRef, name: `Customer ${index}` } : sharedCustomerId,
          external_reference: `ACC-${index}-${tag}`,
          name: `Account ${index}`,
          currency: 'ZAR',
          balance,
          metadata: { index: String(index) },
        },
        outcome: 'pending',
      };
    };

    const post = (baseUrl: string, r: CreateRequest) =>
      timedRequest(
        `${baseUrl}/billing/accounts`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'idempotency-key': r.key, 'content-type': 'application/json' },
          body: JSON.stringify(r.body),
        },
        REQUEST_TIMEOUT_MS,
      );

    test('SIGKILL while creates are in flight, then restart: every create answered 2xx is stored, exactly as it was answered', TEST_TIMEOUT, async (t) => {
      const first = processes.start(`serve (${kind})`, { DATABASE_URL: database.url });
      const firstBase = await first.ready();
      ({ secret } = await first.defaultTenant());

      const customer = await call(firstBase, 'POST', '/billing/customers', { external_reference: `SHARED-${randomUUID().slice(0, 8)}` }, { key: secret, idempotencyKey: randomUUID() });
      assert.equal(customer.status, 201, customer.text);
      sharedCustomerId = customer.body.id;

      let answered2xx = 0;
      const worker = async () => {
        for (;;) {
          const r = newRequest(requests.length);
          requests.push(r);
          const outcome = await post(firstBase, r);
          if (outcome.kind === 'answered') {
            r.outcome = 'answered';
            r.response = outcome.response;
            if (outcome.response.status >= 200 && outcome.response.status < 300) answered2xx++;
            continue;
          }
          r.outcome = outcome.kind;
          if (outcome.kind === 'failed') r.error = outcome.error;
          return; // the server is gone (or hangs): this worker's last request is cut off
        }
      };
      const load = Array.from({ length: WORKERS }, worker);

      await waitFor(() => answered2xx >= KILL_AFTER_ANSWERED || first.exited, 90_000, `${KILL_AFTER_ANSWERED} creates answered 2xx`, 5);
      assert.equal(first.exited, false, `the server died under load by itself\nstderr: ${first.stderr.slice(-2000)}`);
      const inFlightAtKill = requests.filter((r) => r.outcome === 'pending').length;
      assert.equal(await first.sigkill(), 'SIGKILL');
      await Promise.all(load);

      assert.ok(inFlightAtKill > 0, 'requests were in flight when the server was killed');
      const answered = requests.filter((r) => r.outcome === 'answered');
      assert.deepEqual(
        answered.filter((r) => r.response!.status !== 201).map((r) => `${r.response!.status} ${r.response!.text}`),
        [],
        'under load, before the crash, every create answers 201',
      );
      assert.deepEqual(requests.filter((r) => r.outcome === 'timeout').map((r) => r.key), [], `no request hangs for ${REQUEST_TIMEOUT_MS} ms`);
      assert.ok(requests.some((r) => r.outcome === 'failed'), 'some requests were cut off by the crash');
      t.diagnostic(`${requests.length} requests: ${answered.length} answered, ${inFlightAtKill} in flight at the SIGKILL, ${requests.length - answered.length} failed`);

      restarted = processes.start(`serve after SIGKILL (${kind})`, { DATABASE_URL: database.url });
      base = await restarted.ready();
      assert.doesNotMatch(restarted.stdout, /Created tenant/, 'the restart finds the existing tenant');

      const lost = (
        await mapConcurrent(answered, WORKERS, async (r) => {
          const stored = await call(base, 'GET', `/billing/accounts/${r.ref}`, undefined, { key: secret });
          if (stored.status !== 200) return `${r.ref}: answered 201 ${r.response!.body.id} before the crash, now ${stored.status} ${stored.text}`;
          try {
            assert.deepEqual(stored.body, r.response!.body);
          } catch {
            return `${r.ref}: stored ${stored.text} differs from the answer ${r.response!.text}`;
          }
          if (r.customerRef) {
            const inline = await call(base, 'GET', `/billing/customers/${r.customerRef}`, undefined, { key: secret });
            if (inline.status !== 200 || inline.body.id !== stored.body.customer_id) return `${r.customerRef}: the inline customer of ${r.ref} is ${inline.status} ${inline.text}`;
          }
          return null;
        })
      ).filter((problem) => problem !== null);
      assert.deepEqual(lost, [], `every one of the ${answered.length} creates answered 201 before the crash is stored as answered`);
    });

    test('after the restart, every request retried with its own Idempotency-Key and body answers 201, answered ones replay, and nothing exists twice', TEST_TIMEOUT, async (t) => {
      assert.ok(restarted && requests.length > KILL_AFTER_ANSWERED, 'the crash test ran');

      const retries = await mapConcurrent(requests, WORKERS, (r) => post(base, r));
      const problems: string[] = [];
      retries.forEach((outcome, i) => {
        const r = requests[i]!;
        if (outcome.kind !== 'answered') return problems.push(`${r.key}: retry ${outcome.kind}`);
        const retry = outcome.response;
        if (retry.status !== 201) return problems.push(`${r.key} (${r.outcome} before the crash): retry answered ${retry.status} ${retry.text}`);
        if (r.outcome === 'answered') {
          if (retry.headers.get('idempotent-replayed') !== 'true') problems.push(`${r.key}: answered before the crash, but the retry is not a replay`);
          if (retry.text !== r.response!.text) problems.push(`${r.key}: the replay ${retry.text} differs from the first answer ${r.response!.text}`);
        }
        return undefined;
      });
      assert.deepEqual(problems, [], 'every retry answers 201; requests answered before the crash replay their first answer');
      const committedUnanswered = retries.filter((o, i) => requests[i]!.outcome !== 'answered' && o.kind === 'answered' && o.response.headers.get('idempotent-replayed') === 'true').length;
      t.diagnostic(`${committedUnanswered} requests cut off by the crash had committed (their retry replayed)`);
      const idOf = new Map(requests.map((r, i) => [r.ref, (retries[i] as { response: ApiResponse }).response.body.id as string]));

      // A second round of retries: everything is a replay now, of the same account.
      const again = await mapConcurrent(requests, WORKERS, (r) => post(base, r));
      assert.deepEqual(
        again.flatMap((outcome, i) =>
          outcome.kind === 'answered' && outcome.response.status === 201 && outcome.response.headers.get('idempotent-replayed') === 'true' && outcome.response.body.id === idOf.get(requests[i]!.ref)
            ? []
            : [`${requests[i]!.key}: ${outcome.kind === 'answered' ? `${outcome.response.status} replayed=${outcome.response.headers.get('idempotent-replayed')} ${outcome.response.text}` : outcome.kind}`],
        ),
        [],
        'a second retry of every request replays the same account',
      );

      const duplicates = (
        await mapConcurrent(requests, WORKERS, async (r) => {
          const listed = await call(base, 'GET', `/billing/accounts?external_reference=${r.ref}&limit=100`, undefined, { key: secret });
          if (listed.status !== 200) return `${r.ref}: list answered ${listed.status} ${listed.text}`;
          const ids = listed.body.data.map((a: { id: string }) => a.id);
          if (ids.length !== 1 || ids[0] !== idOf.get(r.ref)) return `${r.ref}: listed ${JSON.stringify(ids)}, expected [${idOf.get(r.ref)}]`;
          const ledger = await call(base, 'GET', `/billing/accounts/${ids[0]}/ledger_entries?limit=100`, undefined, { key: secret });
          const balance = r.body.balance as number;
          const expected = balance === 0 ? [] : [{ kind: 'initial', amount: balance, balance_after: balance }];
          const actual = (ledger.body?.data ?? []).map((e: { kind: string; amount: number; balance_after: number }) => ({ kind: e.kind, amount: e.amount, balance_after: e.balance_after }));
          if (ledger.status !== 200 || JSON.stringify(actual) !== JSON.stringify(expected)) return `${r.ref}: ledger ${ledger.status} ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;
          return null;
        })
      ).filter((problem) => problem !== null);
      assert.deepEqual(duplicates, [], 'each external_reference is listed exactly once, with the id its retry answered, and has its initial entry once');

      const walk = async (path: string): Promise<string[]> => {
        const ids: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await call(base, 'GET', `${path}?limit=100${cursor ? `&starting_after=${cursor}` : ''}`, undefined, { key: secret });
          assert.equal(page.status, 200, page.text);
          ids.push(...page.body.data.map((o: { id: string }) => o.id));
          if (!page.body.has_more) return ids;
          cursor = ids.at(-1);
        }
      };
      const accounts = await walk('/billing/accounts');
      assert.equal(accounts.length, requests.length, 'the account count equals the number of distinct requests');
      assert.deepEqual(new Set(accounts), new Set(idOf.values()), 'the accounts are exactly the ones the retries name');
      const inlineCustomers = requests.filter((r) => r.customerRef !== null).length;
      assert.equal((await walk('/billing/customers')).length, 1 + inlineCustomers, 'the customer count is the shared customer plus one per inline-customer request');

      assert.equal(await restarted.terminate(), 0, restarted.stderr);
      restarted = undefined;

      // The outbox: one creation event per object, none duplicated by the crash or the retries.
      const opened = openDatabase({ url: database.url });
      const { db } = opened;
      try {
        const counts = await db.selectFrom('events').select(['type', (eb) => eb.fn.countAll().as('n')]).groupBy('type').execute();
        const byType = Object.fromEntries(counts.map((c) => [c.type, Number(c.n)]));
        assert.deepEqual(byType, { 'billing.account.created': requests.length, 'billing.customer.created': 1 + inlineCustomers }, 'one created event per account and per customer');
      } finally {
        await opened.close();
      }
    });
  });
}
