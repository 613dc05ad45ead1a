// What a get costs with nothing of ours in it (bench/bare-get.ts): a bare fastify app like the
// ceiling's (no logger, no hooks, no schema), whose one route reads one row by its primary key
// from an SQLite file with better-sqlite3 (a prepared statement, WAL, as the server opens it)
// and answers it as JSON: Node's HTTP, one keyed read and a get-sized answer, nothing else.
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const db = new Database(process.env.BARE_DB);
db.pragma('journal_mode = WAL');
db.defaultSafeIntegers(true);
const read = db.prepare('select * from "accounts" where "tenant_id" = ? and "mode" = ? and "id" = ?');
// The first page of a list, as ours reads it (newest first by id, one row more than the page).
const page = db.prepare('select * from "accounts" where "tenant_id" = ? and "mode" = ? order by "id" desc limit ?');
const tenant = process.env.BARE_TENANT;

const app = Fastify({ logger: false });
const asJson = (row) => ({ ...row, balance: row.balance === null ? null : Number(row.balance) });
app.get('/accounts/:id', async (request, reply) => {
  const row = read.get(tenant, 'test', request.params.id);
  if (!row) return reply.code(404).send({ error: 'not found' });
  return asJson(row);
});
app.get('/accounts', async (request) => {
  const limit = Math.min(Number(request.query.limit ?? 10), 100);
  const rows = page.all(tenant, 'test', limit + 1);
  return { object: 'list', data: rows.slice(0, limit).map(asJson), has_more: rows.length > limit };
});

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`listening on http://127.0.0.1:${app.server.address().port}\n`);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => app.close().then(() => process.exit(0)));
}
