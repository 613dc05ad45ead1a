import { AlreadyExists } from '../../../ledger/errors.js';
import { keysetPage } from '../../../store/keyset.js';
import type { StoreHandle } from '../../../store/module-repositories.js';
import { defineInsert, defineKeyedRead, defineUpdate, findRow, lockRow } from '../../../store/statements.js';
import type { BillFilter, BillRepository } from '../domain/ports.js';
import { billToRow, rowToBill } from './rows.js';
import './tables.js';

const KEY = ['tenant_id', 'mode', 'id'] as const;
/** What a change of a bill may write: its amounts (and so its status), due date, rules, metadata, time. */
const CHANGED_COLUMNS = ['amount_paid', 'status', 'due_date', 'payment_rules', 'metadata', 'updated_at'] as const;

// Declared once (statements.ts); every keyed read names a whole primary key or unique constraint.
const statements = {
  byId: defineKeyedRead('bills', KEY),
  byExternalReference: defineKeyedRead('bills', ['tenant_id', 'mode', 'external_reference']),
  insert: defineInsert('bills', [
    { name: 'bills_by_external_reference', primaryKey: false, error: (row) => new AlreadyExists('bill', 'externalReference', row.external_reference) },
  ]),
  update: defineUpdate('bills', { set: CHANGED_COLUMNS, key: KEY }),
};

/** Bills of one tenant and mode: every statement is bounded by both (SPEC §2 isolation). */
export function billRepository(handle: StoreHandle): BillRepository {
  const { db, writes } = handle;
  return {
    insert: (scope, bill) => writes.write(statements.insert.write(billToRow(scope.tenantId, scope.mode, bill))),
    async findById(scope, id) {
      const row = await findRow(handle, statements.byId, [scope.tenantId, scope.mode, id]);
      return row && rowToBill(row);
    },
    async findByExternalReference(scope, ref) {
      const row = await findRow(handle, statements.byExternalReference, [scope.tenantId, scope.mode, ref]);
      return row && rowToBill(row);
    },
    async lockById(scope, id) {
      const row = await lockRow(handle, statements.byId, [scope.tenantId, scope.mode, id]);
      return row && rowToBill(row);
    },
    update: (scope, bill) => writes.write(statements.update.write(billToRow(scope.tenantId, scope.mode, bill))),
    async cursorOf(scope, id) {
      const row = await db.selectFrom('bills').select('id').where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode).where('id', '=', id).executeTakeFirst();
      return row && { id: row.id };
    },
    list(scope, filter: BillFilter) {
      let q = db.selectFrom('bills').selectAll().where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode);
      if (filter.customerId !== undefined) q = q.where('customer_id', '=', filter.customerId);
      if (filter.accountId !== undefined) q = q.where('account_id', '=', filter.accountId);
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      return keysetPage(q, filter, rowToBill);
    },
  };
}
