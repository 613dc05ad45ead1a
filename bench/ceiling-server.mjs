// The framework ceiling of `npm run bench`: a bare fastify app in one Node process, like
// `subledger serve`, with one GET route answering a small JSON. No logger, no hooks, no schema.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`listening on http://127.0.0.1:${app.server.address().port}\n`);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => app.close().then(() => process.exit(0)));
}
