import type { FastifyInstance } from 'fastify';
import { BILLING_ERROR_TYPES } from '../surfaces/billing/errors.js';

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** GET /docs/errors: the page every problem `type` URI points into (one anchor per slug). */
export function registerErrorDocs(app: FastifyInstance): void {
  const sections = Object.entries(BILLING_ERROR_TYPES)
    .map(
      ([slug, t]) =>
        `<section id="${slug}"><h2><a href="#${slug}">${slug}</a> <small>HTTP ${t.status}</small></h2>` +
        `<p><strong>${escapeHtml(t.title)}</strong></p><p>${escapeHtml(t.explanation)}</p></section>`,
    )
    .join('\n');
  const page =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>subledger errors</title>' +
    '<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}small{color:#666}</style></head>' +
    `<body><h1>Error types</h1><p>Errors are RFC 9457 problem details (<code>application/problem+json</code>); <code>type</code> links here.</p>${sections}</body></html>`;
  app.get('/docs/errors', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
}
