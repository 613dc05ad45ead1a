import { Type } from 'typebox';
import { balancesAsOf } from '../ledger/balances-as-of.js';
import { nowIso } from '../ledger/clock.js';
import { minorUnitsText } from '../ledger/money.js';
import { getTenant } from '../tenancy/tenants.js';
import { AccountPath, directoryEntryOf } from './account-routes.js';
import { Described } from '../http/openapi-operations.js';
import type { AppServices } from '../http/services.js';
import type { SurfaceApp } from '../http/surface.js';
import { describeProblem, verifySummary, type LedgerProblem } from '../store/ledger-verify.js';

// SPEC §8: the check `subledger verify` runs, for one tenant, from the admin API and the
// console. POST, not GET: it is an action that reads the tenant's whole ledger (seconds on a
// large one), not a representation to cache or prefetch; it changes nothing.

/** At most this many problems are listed in the answer (all are counted). */
const LISTED_PROBLEMS = 100;

const VerifyQuery = Type.Object({ mode: Type.Optional(Type.Union([Type.Literal('test'), Type.Literal('live')], { description: 'only this mode (default: both)' })) }, { additionalProperties: false });
const Problem = Type.Object({
  mode: Type.String(),
  subject: Type.String({ description: 'What is broken: `entry ble_…`, `balance <holder> <currency>` or `currency <code>` (a tenant total).' }),
  what: Type.String({ description: 'What failed.' }),
  line: Type.String({ description: 'The line `subledger verify` prints for it.' }),
});
const VerifyResult = Type.Object({
  tenant_id: Type.String(),
  ok: Type.Boolean({ description: 'true when every chain and invariant holds.' }),
  entries: Type.Integer(),
  balances: Type.Integer(),
  problem_count: Type.Integer(),
  problems: Type.Array(Problem, { description: `The first ${LISTED_PROBLEMS} problems found.` }),
  summary: Type.String({ description: 'The summary line of `subledger verify`.' }),
});

const AsOfQuery = Type.Object(
  { as_of: Type.Optional(Type.String({ format: 'date-time', description: 'An ISO 8601 instant; without it, now.' })) },
  { additionalProperties: false },
);
const BalancesAsOf = Type.Object({
  as_of: Type.String({ format: 'date-time' }),
  data: Type.Array(
    Type.Object({
      currency: Type.String(),
      amount: Type.String({ description: 'Exact, in the currency\'s minor unit ("1000" is ZAR 10.00); a fraction of a minor unit (org amounts) after a point: "1050.5".' }),
    }),
  ),
});

export function registerAuditRoutes(app: SurfaceApp, services: AppServices): void {
  const { store } = services;
  app.post('/tenants/:tenantId/verify', {
    schema: {
      operationId: 'verifyTenantLedger',
      summary: "Check a tenant's hash chains and ledger invariants (subledger verify --tenant)",
      description: 'Walks every balance of the tenant (both modes, or `mode`): each hash chain, balance_after, each balance against the sum of its entries, each posting summing to zero, and per mode and currency the holders against the net of external postings. Changes nothing.',
      params: Type.Object({ tenantId: Type.String({ minLength: 1, maxLength: 255 }) }),
      querystring: VerifyQuery,
      response: { 200: Described(VerifyResult, 'What the check found') },
    },
  }, async (request) => {
    const { tenantId } = request.params;
    await getTenant(store.reader, tenantId);
    const problems: LedgerProblem[] = [];
    const count = await store.audit.verify({ tenantId, mode: request.query.mode }, { problem: (p) => void (problems.length < LISTED_PROBLEMS && problems.push(p)) });
    return {
      tenant_id: tenantId,
      ok: count.problems === 0,
      entries: count.entries,
      balances: count.balances,
      problem_count: count.problems,
      problems: problems.map((p) => ({ mode: p.mode, subject: p.subject, what: p.what, line: describeProblem(p) })),
      summary: verifySummary(count),
    };
  });

  // SPEC §8 "Point in time": each balance as its last entry by then left it (the kernel's
  // balancesAsOf: per currency, a bisection of its chain by keyed reads, never a sum).
  app.get('/tenants/:tenantId/accounts/:accountId/balances', {
    schema: {
      operationId: 'retrieveDirectoryAccountBalancesAsOf',
      summary: "An account's balances as they stood at an instant",
      description: 'Per currency the account held by then, its balance at `as_of` (default: now), exact, in minor units.',
      params: AccountPath,
      querystring: AsOfQuery,
      response: { 200: Described(BalancesAsOf, 'The balances at that instant') },
    },
  }, async (request) => {
    const { entry, scope } = await directoryEntryOf(services, request.params.tenantId, request.params.accountId);
    const asOf = new Date(request.query.as_of ?? nowIso()).toISOString();
    const balances = await balancesAsOf(store.reader, scope, entry.id, asOf);
    return { as_of: asOf, data: balances.map((b) => ({ currency: b.currency, amount: minorUnitsText(b) })) };
  });
}
