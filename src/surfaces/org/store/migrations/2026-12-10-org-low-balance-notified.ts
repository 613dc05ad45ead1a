import { sql, type Kysely } from 'kysely';

// Frozen once released. Whether the account's current low period was announced
// (account.low_balance sent). An account that was already at or below its threshold when
// created or when its threshold was set is low without having been told (SPEC §9
// "low-balance edges"): its recovery is no news. Existing rows keep the behaviour they had:
// below the threshold counted as announced.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('org_accounts').addColumn('low_balance_notified', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update org_accounts set low_balance_notified = below_threshold`.execute(db);
}
