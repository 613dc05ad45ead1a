import type { Kysely } from 'kysely';

// Frozen once released. What the operator console (SPEC: issue 14) reads beyond the surfaces'
// own tables: the object an event is about, so an account's page lists its events by one
// indexed range instead of scanning the outbox; and the console's sign-in sessions, in the
// database so that every API node behind one database knows them and sign-out ends a session
// everywhere at once.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // Null for events written before this migration (and for events about no single object).
  await db.schema.alterTable('events').addColumn('subject_id', 'text').execute();
  await db.schema.createIndex('events_by_subject').on('events').columns(['tenant_id', 'subject_id', 'id', 'mode']).execute();

  await db.schema
    .createTable('console_sessions')
    // SHA-256 of the cookie's value: a leaked table grants no session.
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('console_sessions_expiry').on('console_sessions').column('expires_at').execute();
}
