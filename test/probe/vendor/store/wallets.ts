import type { Scope } from '../../../../src/ledger/model.js';
import { defineRepositories } from '../../../../src/store/module-repositories.js';
import type { Wallet } from '../domain/wallets.js';

// The probe vendor's table, added to the store's Database type from its own folder.
interface ProbeWalletTable {
  tenant_id: string;
  mode: string;
  id: string;
  name: string;
  currency: string;
  created_at: string;
}

declare module '../../../../src/store/database.js' {
  interface Database {
    probe_wallets: ProbeWalletTable;
  }
}

export interface WalletRepository {
  insert(scope: Scope, wallet: Wallet): Promise<void>;
  findById(scope: Scope, id: string): Promise<Wallet | undefined>;
}

const rowToWallet = (row: ProbeWalletTable): Wallet => ({ id: row.id, name: row.name, currency: row.currency, createdAt: row.created_at });

/** The probe's repositories on any transaction or reader of the store. */
export const probeRepositories = defineRepositories<{ wallets: WalletRepository }>(({ db }) => ({
  wallets: {
    async insert(scope, wallet) {
      await db
        .insertInto('probe_wallets')
        .values({ tenant_id: scope.tenantId, mode: scope.mode, id: wallet.id, name: wallet.name, currency: wallet.currency, created_at: wallet.createdAt })
        .execute();
    },
    async findById(scope, id) {
      const row = await db.selectFrom('probe_wallets').selectAll().where('tenant_id', '=', scope.tenantId).where('id', '=', id).where('mode', '=', scope.mode).executeTakeFirst();
      return row && rowToWallet(row);
    },
  },
}));
