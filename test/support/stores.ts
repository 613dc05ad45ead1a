import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresAnswersFreshConnection } from '../../src/store/driver-failures.js';

/** The stores every HTTP test runs against: SQLite always, PostgreSQL when reachable. */
export type StoreKind = 'sqlite' | 'postgres';

export interface TestDatabase {
  kind: StoreKind;
  url: string;
  drop(): Promise<void>;
}

const PG_ADMIN_URL = process.env.DATABASE_URL_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let pgReachable: Promise<boolean> | undefined;

/** Whether PostgreSQL accepts a connection and answers a query now. */
export const postgresAnswers = (): Promise<boolean> => postgresAnswersFreshConnection(PG_ADMIN_URL);

/**
 * ['sqlite', 'postgres'] when PostgreSQL answers, else ['sqlite'].
 * SUBLEDGER_TEST_REQUIRE_PG=1 (set by .ci/run) turns an unreachable PostgreSQL into a failure;
 * SUBLEDGER_TEST_STORES=sqlite runs SQLite only.
 */
export async function storeKinds(): Promise<StoreKind[]> {
  // SUBLEDGER_TEST_STORES=sqlite: SQLite only (.ci/run's second pass, on another Node).
  if (process.env.SUBLEDGER_TEST_STORES === 'sqlite') return ['sqlite'];
  pgReachable ??= postgresAnswers();
  if (await pgReachable) return ['sqlite', 'postgres'];
  if (process.env.SUBLEDGER_TEST_REQUIRE_PG === '1') {
    throw new Error(`PostgreSQL is required (SUBLEDGER_TEST_REQUIRE_PG=1) but ${PG_ADMIN_URL} is not reachable`);
  }
  return ['sqlite'];
}

/** A brand-new empty database: a SQLite file in a temp dir, or a PostgreSQL database of its own. */
export async function createTestDatabase(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'subledger-test-'));
    return { kind, url: `sqlite:${join(dir, 'test.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `subledger_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
