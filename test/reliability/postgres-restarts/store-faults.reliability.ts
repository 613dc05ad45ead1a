import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { call, type ApiResponse } from '../../support/http.js';
import { ADMIN_TOKEN } from '../../support/server.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../../support/stores.js';
import { assertProblem, ensurePostgresUp, mapConcurrent, pgCluster, postgresAnswers, problemShapeViolations, ServeProcesses, slugOf, timedRequest, waitFor, type Outcome, type ServeProcess } from '../harness.js';

// SPEC §1 (health), §2 (errors, idempotency), §3 (`service-unavailable` 503): PostgreSQL stopped
// under a light continuous load of reads and creates. While it is down the service answers 503
// service-unavailable problem+json promptly (never 500, never a hang), /readyz 503 and /healthz
// 200; once PostgreSQL is back the same process serves again by itself, and nothing it
// acknowledged with a 2xx was lost. PostgreSQL is always started again, whatever happens.

const WORKERS = 4;
/** Pause between one worker's requests: a light load, not a flood of 503s. */
const PACING_MS = 20;
/** "Promptly": every answer, during the outage too, within this. */
const ANSWER_WITHIN_MS = 5_000;
const TEST_TIMEOUT = { timeout: 180_000 };
/** Longer than the authenticator's key cache (SUBLEDGER_KEY_CACHE_SECONDS, 5 s by default). */
const OUTAGE_AT_LEAST_MS = 6_000;
/** Stopped and started this many times in a row, under the same load and the same process. */
const OUTAGES = 2;

interface Sample {
  kind: 'create' | 'read';
  started: number;
  ended: number;
  outcome: Outcome;
  /** For creates: what was asked, to retry it and to look it up. */
  key?: string;
  body?: Record<string, unknown>;
}

const kinds = await storeKinds();
const processes = new ServeProcesses();

describe('PostgreSQL stopped and started under load', { skip: kinds.includes('postgres') ? false : 'PostgreSQL is not reachable' }, () => {
  let database: TestDatabase | undefined;
  let serve: ServeProcess | undefined;

  after(async () => {
    // Whatever happened: PostgreSQL runs again and accepts connections before anything else.
    await ensurePostgresUp();
    await processes.killAll();
    await database?.drop();
  });

  test('twice in a row: while PostgreSQL is down every request answers 503 service-unavailable within seconds (/readyz 503, /healthz 200); once it is back the same process recovers by itself; no 2xx was lost', TEST_TIMEOUT, async (t) => {
    await ensurePostgresUp();
    database = await createTestDatabase('postgres');
    serve = processes.start('serve (postgres)', { DATABASE_URL: database.url, SUBLEDGER_ADMIN_TOKEN: ADMIN_TOKEN });
    const base = await serve.ready();
    const { tenantId, secret } = await serve.defaultTenant();
    // A key the service has never seen: authenticating it during the outage needs the store.
    const fresh = await call(base, 'POST', `/admin/v1/tenants/${tenantId}/keys`, { mode: 'test', type: 'secret' }, { key: ADMIN_TOKEN });
    assert.equal(fresh.status, 201, fresh.text);
    const uncachedKey: string = fresh.body.key;

    const customer = await call(base, 'POST', '/billing/customers', { external_reference: `FAULT-CUS-${randomUUID().slice(0, 8)}` }, { key: secret, idempotencyKey: randomUUID() });
    assert.equal(customer.status, 201, customer.text);
    const customerId: string = customer.body.id;

    const request = (method: string, path: string, options: { key?: string; idempotencyKey?: string; body?: unknown } = {}) =>
      timedRequest(
        `${base}${path}`,
        {
          method,
          headers: {
            authorization: `Bearer ${options.key ?? secret}`,
            ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
            ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
        },
        ANSWER_WITHIN_MS,
      );

    // ------------------------------------------------------------------ the load
    const samples: Sample[] = [];
    const acknowledged = () => samples.filter((s) => s.kind === 'create' && s.outcome.kind === 'answered' && s.outcome.response.status === 201);
    let stopLoad = false;
    const worker = async (w: number) => {
      for (let i = 0; !stopLoad; i++) {
        const started = performance.now();
        if (i % 2 === 0) {
          const key = `fault-${w}-${i}-${randomUUID().slice(0, 8)}`;
          // Every other create makes its customer inline too: a longer write transaction.
          const customer = i % 4 === 0 ? { external_reference: `FAULT-CUS-${w}-${i}-${randomUUID().slice(0, 8)}`, currency: 'ZAR', balance: 1 } : customerId;
          const body = { customer, external_reference: `FAULT-${w}-${i}-${randomUUID().slice(0, 8)}`, currency: 'ZAR', balance: i + 1 };
          const outcome = await request('POST', '/billing/accounts', { idempotencyKey: key, body });
          samples.push({ kind: 'create', started, ended: performance.now(), outcome, key, body });
        } else {
          const known = acknowledged();
          const path = known.length > 0 && i % 4 === 1 ? `/billing/accounts/${(known[i % known.length]!.body!.external_reference as string)}` : '/billing/accounts?limit=5';
          const outcome = await request('GET', path);
          samples.push({ kind: 'read', started, ended: performance.now(), outcome });
        }
        await new Promise((resolve) => setTimeout(resolve, PACING_MS));
      }
    };
    const load = Array.from({ length: WORKERS }, (_, w) => worker(w));
    const serviceState = () => `the service ${serve!.exited ? `EXITED (code ${serve!.child.exitCode}, signal ${serve!.child.signalCode})` : 'is running'}\nstderr: ${serve!.stderr.slice(-3000)}`;

    interface Outage {
      stopIssued: number;
      stopped: number;
      startIssued: number;
      recovered: number;
    }
    const outages: Outage[] = [];
    /** Load requests that started once PostgreSQL was down and ended before it was started again. */
    const during = (o: Outage) => samples.filter((s) => s.started >= o.stopped && s.ended <= o.startIssued);
    /** Load requests between a recovery and the next stop (or the end). */
    const afterRecovery = (s: Sample) => outages.some((o, i) => s.started >= o.recovered && s.ended <= (outages[i + 1]?.stopIssued ?? Number.POSITIVE_INFINITY));
    try {
      await waitFor(() => acknowledged().length >= 20, 30_000, '20 creates acknowledged before the outage');

      for (let cycle = 1; cycle <= OUTAGES; cycle++) {
        // -------------------------------------------------------------- an outage
        const o: Outage = { stopIssued: performance.now(), stopped: Number.NaN, startIssued: Number.POSITIVE_INFINITY, recovered: Number.POSITIVE_INFINITY };
        outages.push(o);
        const probes: { name: string; outcome: Outcome }[] = [];
        try {
          await pgCluster('stop');
          o.stopped = performance.now();
          assert.equal(await postgresAnswers(), false, 'PostgreSQL is down');

          const probe = async (name: string, outcome: Promise<Outcome>) => {
            const result = await outcome;
            probes.push({ name, outcome: result });
            return result;
          };
          for (let round = 0; round < 3; round++) {
            const ready = await probe('GET /readyz', timedRequest(`${base}/readyz`, { method: 'GET' }, ANSWER_WITHIN_MS));
            assert.equal(ready.kind, 'answered', `outage ${cycle}: /readyz answers while the store is down (${ready.kind}${ready.kind === 'failed' ? `: ${ready.error}` : ''}); ${serviceState()}`);
            if (ready.kind === 'answered') {
              assert.equal(ready.response.status, 503, ready.response.text);
              assert.equal(ready.response.body.status, 'not_ready');
            }
            const health = await probe('GET /healthz', timedRequest(`${base}/healthz`, { method: 'GET' }, ANSWER_WITHIN_MS));
            assert.ok(health.kind === 'answered' && health.response.status === 200, `outage ${cycle}: /healthz answers 200 while the store is down: ${JSON.stringify(health)}; ${serviceState()}`);
            for (const [name, outcome] of [
              ['GET /billing/accounts', request('GET', '/billing/accounts')],
              ['GET /billing/accounts/{acknowledged}', request('GET', `/billing/accounts/${acknowledged()[0]!.body!.external_reference}`)],
              ['POST /billing/accounts', request('POST', '/billing/accounts', { idempotencyKey: randomUUID(), body: { customer: customerId, external_reference: `PROBE-${randomUUID().slice(0, 8)}` } })],
              ['PATCH /billing/customers/{id}', request('PATCH', `/billing/customers/${customerId}`, { body: { name: 'during the outage' } })],
              ['GET /billing/customers with a key not yet cached', request('GET', '/billing/customers', { key: uncachedKey })],
            ] as const) {
              const result = await probe(name, outcome);
              assert.equal(result.kind, 'answered', `outage ${cycle}: ${name} answers within ${ANSWER_WITHIN_MS} ms while the store is down (${result.kind}${result.kind === 'failed' ? `: ${result.error}` : ''}); ${serviceState()}`);
              if (result.kind === 'answered') assertProblem(result.response, 503, 'service-unavailable', name.includes('{') ? undefined : name.split(' ')[1]!.split('?')[0]);
            }
          }
          // The load keeps running into the outage, past the lifetime of cached key lookups (5 s,
          // auth.ts), so that requests with already-seen keys need the store to authenticate too.
          await waitFor(() => performance.now() - o.stopped > OUTAGE_AT_LEAST_MS && during(o).length >= 100, 30_000, `an outage of ${OUTAGE_AT_LEAST_MS} ms with 100 load requests answered during it`, 50);
          assert.equal(serve.exited, false, `outage ${cycle}: ${serviceState()}`);
        } finally {
          // ------------------------------------------------------------ back
          o.startIssued = performance.now();
          await ensurePostgresUp();
        }

        await waitFor(
          async () => {
            const ready = await timedRequest(`${base}/readyz`, { method: 'GET' }, ANSWER_WITHIN_MS);
            if (ready.kind !== 'answered' || ready.response.status !== 200) return false;
            const created = await request('POST', '/billing/accounts', { idempotencyKey: randomUUID(), body: { customer: customerId, external_reference: `BACK-${randomUUID().slice(0, 8)}` } });
            return created.kind === 'answered' && created.response.status === 201;
          },
          30_000,
          () => `outage ${cycle}: the service to serve again (readyz 200 and a create 201) without a restart; ${serviceState()}`,
          100,
        );
        o.recovered = performance.now();
        const acknowledgedAtRecovery = acknowledged().length;
        await waitFor(() => acknowledged().length >= acknowledgedAtRecovery + 20, 30_000, `outage ${cycle}: 20 more creates acknowledged after the recovery`);
        t.diagnostic(
          `outage ${cycle}: PostgreSQL down for ${Math.round(o.startIssued - o.stopIssued)} ms, ${during(o).length} load requests during it; recovered ${Math.round(o.recovered - o.startIssued)} ms after the start was issued; probes: ${probes.map((p) => `${p.name} → ${p.outcome.kind === 'answered' ? p.outcome.response.status : p.outcome.kind} (${Math.round(p.outcome.ms)} ms)`).join('; ')}`,
        );
      }
    } finally {
      stopLoad = true;
      await Promise.all(load);
    }

    // ------------------------------------------------------------------ verdicts
    assert.equal(serve.exited, false, 'the same process served throughout (no restart)');
    const explain = (s: Sample) =>
      `${s.kind} at +${Math.round(s.started - outages[0]!.stopIssued)} ms (from the first stop): ${s.outcome.kind === 'answered' ? `${s.outcome.response.status} ${s.outcome.response.text.slice(0, 200)}` : s.outcome.kind === 'failed' ? `failed: ${s.outcome.error}` : `no answer in ${ANSWER_WITHIN_MS} ms`}`;
    assert.deepEqual(samples.filter((s) => s.outcome.kind !== 'answered').map(explain), [], `every load request got an answer within ${ANSWER_WITHIN_MS} ms (no hang, no dropped connection)`);
    const answered = samples as (Sample & { outcome: { kind: 'answered'; response: ApiResponse } })[];
    assert.deepEqual(answered.filter((s) => s.outcome.response.status >= 500 && s.outcome.response.status !== 503).map(explain), [], 'no load request answered a 5xx other than 503');
    assert.deepEqual(
      answered.filter((s) => s.outcome.response.status === 503 && (slugOf(s.outcome.response) !== 'service-unavailable' || problemShapeViolations(s.outcome.response).length > 0)).map(explain),
      [],
      'every 503 is a service-unavailable problem+json',
    );
    assert.deepEqual(outages.flatMap(during).filter((s) => (s as (typeof answered)[number]).outcome.response.status !== 503).map(explain), [], 'while PostgreSQL is down every load request answers 503');
    assert.deepEqual(
      answered.filter((s) => afterRecovery(s) && s.outcome.response.status >= 300).map(explain),
      [],
      'once the service has recovered every load request succeeds again (no stale connection keeps failing)',
    );
    assert.ok(answered.some((s) => s.started < outages[0]!.stopIssued && s.outcome.response.status < 300), 'load succeeded before the outage');

    // Nothing acknowledged is lost; creates refused with 503 run when retried with their key.
    const creates = answered.filter((s) => s.kind === 'create');
    const problems = (
      await mapConcurrent(creates, 8, async (s) => {
        const ref = s.body!.external_reference as string;
        if (s.outcome.response.status === 201) {
          const stored = await call(base, 'GET', `/billing/accounts/${ref}`, undefined, { key: secret });
          return stored.status === 200 && stored.body.id === s.outcome.response.body.id ? null : `${ref}: acknowledged ${s.outcome.response.body.id}, now ${stored.status} ${stored.text}`;
        }
        const retry = await call(base, 'POST', '/billing/accounts', s.body, { key: secret, idempotencyKey: s.key });
        if (retry.status !== 201) return `${ref}: refused with ${s.outcome.response.status} during the outage, its retry answered ${retry.status} ${retry.text}`;
        const listed = await call(base, 'GET', `/billing/accounts?external_reference=${ref}`, undefined, { key: secret });
        return listed.body.data.length === 1 ? null : `${ref}: listed ${listed.body.data.length} times after its retry`;
      })
    ).filter((p) => p !== null);
    assert.deepEqual(problems, [], 'every acknowledged create is stored; every refused one is created exactly once by its retry');

    assert.equal(await serve.terminate(), 0, `graceful shutdown after the outage\nstderr: ${serve.stderr.slice(-2000)}`);
  });
});
