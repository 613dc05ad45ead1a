import type { Kysely } from 'kysely';
import type { ConsoleSession, ConsoleSessionRepository } from './ports.js';
import type { Database } from './database.js';

export function consoleSessionRepository(db: Kysely<Database>): ConsoleSessionRepository {
  return {
    async insert(session) {
      await db
        .insertInto('console_sessions')
        .values({ id_hash: session.idHash, csrf_token: session.csrfToken, created_at: session.createdAt, expires_at: session.expiresAt })
        .execute();
    },
    async find(idHash, now) {
      const row = await db.selectFrom('console_sessions').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
      return row && ({ idHash: row.id_hash, csrfToken: row.csrf_token, createdAt: row.created_at, expiresAt: row.expires_at } satisfies ConsoleSession);
    },
    async delete(idHash) {
      await db.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute();
    },
    async purgeExpired(now) {
      const result = await db.deleteFrom('console_sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
