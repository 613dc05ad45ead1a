import { sql, type SqlBool } from 'kysely';
import { AlreadyExists } from '../../../ledger/errors.js';
import type { Mode } from '../../../ledger/model.js';
import type { PlatformRepositories, SubAccountRepository, TransferRepository } from '../domain/ports.js';
import type { PublicProfile, SubAccount, SubAccountConfigurations, SubAccountStatus, SubAccountType } from '../domain/model.js';
import type { Transfer } from '../domain/model.js';
import { keysetPage } from '../../../store/keyset.js';
import { defineRepositories, type StoreHandle } from '../../../store/module-repositories.js';
import { defineInsert, defineKeyedRead, defineUpdate, findRow, lockRow } from '../../../store/statements.js';

/** The platform's repositories on a transaction or reader of the store: `platformRepositories.of(tx)`. */
export const platformRepositories = defineRepositories<PlatformRepositories>((handle) => ({
  subAccounts: subAccountRepository(handle),
  transfers: transferRepository(handle),
}));

/** Platform sub-accounts and transfers (migration 2026-12-03-platform), added to Database by augmentation. */
export interface SubAccountTable {
  tenant_id: string;
  mode: string;
  id: string;
  type: string;
  status: string;
  email: string;
  business_name: string;
  description: string | null;
  /** JSON text of the CUSTOM account's configurations (domain names); null for OWNED and MANAGED. */
  configurations: string | null;
  country: string;
  created_at: string;
  updated_at: string;
}

export interface TransferTable {
  tenant_id: string;
  mode: string;
  id: string;
  reference: string;
  currency: string;
  /** Decimal text of atoms, as balances are stored. */
  amount: string;
  source_user_id: string;
  destination_user_id: string;
  status: string;
  created_at: string;
}

declare module '../../../store/database.js' {
  interface Database {
    platform_sub_accounts: SubAccountTable;
    platform_transfers: TransferTable;
  }
}

function subAccountToRow(tenantId: string, mode: Mode, a: SubAccount): SubAccountTable {
  return {
    tenant_id: tenantId,
    mode,
    id: a.id,
    type: a.type,
    status: a.status,
    email: a.email,
    business_name: a.publicProfile.businessName,
    description: a.publicProfile.description ?? null,
    configurations: a.configurations ? JSON.stringify(a.configurations) : null,
    country: a.country,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

function rowToSubAccount(row: SubAccountTable): SubAccount {
  const publicProfile: PublicProfile = { businessName: row.business_name };
  if (row.description !== null) publicProfile.description = row.description;
  return {
    id: row.id,
    type: row.type as SubAccountType,
    status: row.status as SubAccountStatus,
    email: row.email,
    publicProfile,
    configurations: row.configurations === null ? null : (JSON.parse(row.configurations) as SubAccountConfigurations),
    country: row.country,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function rowToTransfer(row: TransferTable): Transfer {
  return {
    id: row.id,
    reference: row.reference,
    amount: { currency: row.currency, amount: BigInt(row.amount) },
    sourceUserId: row.source_user_id,
    destinationUserId: row.destination_user_id,
    status: row.status as Transfer['status'],
    createdAt: row.created_at,
  };
}

const KEY = ['tenant_id', 'mode', 'id'] as const;
const subAccountById = defineKeyedRead('platform_sub_accounts', KEY);
const insertSubAccount = defineInsert('platform_sub_accounts');
const updateSubAccount = defineUpdate('platform_sub_accounts', { set: ['status', 'email', 'business_name', 'description', 'updated_at'], key: KEY });
/** A transfer's reference is unique per tenant and mode (constraint platform_transfers_by_reference). */
const insertTransfer = defineInsert('platform_transfers', [
  { name: 'platform_transfers_by_reference', primaryKey: false, error: (row) => new AlreadyExists('transfer', 'reference', row.reference) },
]);

/** Every statement is bounded by tenant and mode; keyed reads name the whole primary key. */
export function subAccountRepository(handle: Pick<StoreHandle, 'db' | 'dialect' | 'writes'>): SubAccountRepository {
  const { db, writes } = handle;
  return {
    insert: (scope, account) => writes.write(insertSubAccount.write(subAccountToRow(scope.tenantId, scope.mode, account))),
    async findById(scope, id) {
      const row = await findRow(handle, subAccountById, [scope.tenantId, scope.mode, id]);
      return row && rowToSubAccount(row);
    },
    async lockById(scope, id) {
      const row = await lockRow(handle, subAccountById, [scope.tenantId, scope.mode, id]);
      return row && rowToSubAccount(row);
    },
    update: (scope, account) => writes.write(updateSubAccount.write(subAccountToRow(scope.tenantId, scope.mode, account))),
    async cursorOf(scope, id) {
      const row = await db.selectFrom('platform_sub_accounts').select('id').where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode).where('id', '=', id).executeTakeFirst();
      return row && { id: row.id };
    },
    list(scope, filter) {
      let q = db.selectFrom('platform_sub_accounts').selectAll().where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode);
      if (filter.emails?.length) q = q.where('email', 'in', filter.emails);
      if (filter.statuses?.length) q = q.where('status', 'in', filter.statuses);
      if (filter.type !== undefined) q = q.where('type', '=', filter.type);
      if (filter.businessName !== undefined) q = q.where('business_name', '=', filter.businessName);
      if (filter.updatedGte !== undefined) q = q.where(sql<SqlBool>`updated_at >= ${filter.updatedGte}`);
      if (filter.updatedLte !== undefined) q = q.where(sql<SqlBool>`updated_at <= ${filter.updatedLte}`);
      return keysetPage(q, filter, rowToSubAccount);
    },
  };
}

export function transferRepository({ db, writes }: Pick<StoreHandle, 'db' | 'writes'>): TransferRepository {
  return {
    insert(scope, t) {
      const row: TransferTable = {
        tenant_id: scope.tenantId,
        mode: scope.mode,
        id: t.id,
        reference: t.reference,
        currency: t.amount.currency,
        amount: t.amount.amount.toString(),
        source_user_id: t.sourceUserId,
        destination_user_id: t.destinationUserId,
        status: t.status,
        created_at: t.createdAt,
      };
      return writes.write(insertTransfer.write(row));
    },
    async findByReference(scope, reference) {
      const row = await db
        .selectFrom('platform_transfers')
        .selectAll()
        .where('tenant_id', '=', scope.tenantId)
        .where('reference', '=', reference)
        .where('mode', '=', scope.mode)
        .executeTakeFirst();
      return row && rowToTransfer(row);
    },
    async findById(scope, id) {
      const row = await db.selectFrom('platform_transfers').selectAll().where('tenant_id', '=', scope.tenantId).where('id', '=', id).where('mode', '=', scope.mode).executeTakeFirst();
      return row && rowToTransfer(row);
    },
    async findByReferences(scope, references) {
      if (references.length === 0) return [];
      const rows = await db
        .selectFrom('platform_transfers')
        .selectAll()
        .where('tenant_id', '=', scope.tenantId)
        .where('reference', 'in', [...references])
        .where('mode', '=', scope.mode)
        .execute();
      return rows.map(rowToTransfer);
    },
  };
}
