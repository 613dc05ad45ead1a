import type { FastifyInstance } from 'fastify';
import { parseInline } from 'marked';
import type { ProblemCatalogue, ProblemType } from './problem.js';

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
/** An explanation is Markdown (`code`, as the OpenAPI descriptions that quote it are): our own text, so its HTML is trusted. */
const markdownHtml = (text: string) => parseInline(text, { async: false });

interface DocumentedSlug {
  status: number;
  uses: { by: string; type: ProblemType }[];
}

/**
 * GET <docsPath> for every catalogue's page: the page every problem `type` URI points into, one
 * anchor per slug. Catalogues on one page share its URIs, so a slug they share must have one
 * status (checked here, at startup); the page then says what each answerer means by it.
 */
export function registerErrorDocs(app: FastifyInstance, catalogues: readonly ProblemCatalogue[]): void {
  const pages = new Map<string, Map<string, DocumentedSlug>>();
  for (const catalogue of catalogues) {
    const page = pages.get(catalogue.docsPath) ?? new Map<string, DocumentedSlug>();
    pages.set(catalogue.docsPath, page);
    for (const [slug, type] of Object.entries<ProblemType>(catalogue.types)) {
      const documented = page.get(slug) ?? { status: type.status, uses: [] };
      if (documented.status !== type.status) {
        throw new Error(`${catalogue.docsPath}#${slug} is HTTP ${documented.status} for ${documented.uses[0]!.by} but ${type.status} for ${catalogue.name}`);
      }
      documented.uses.push({ by: catalogue.name, type });
      page.set(slug, documented);
    }
  }
  for (const [path, slugs] of pages) {
    const html = pageOf(slugs);
    app.get(path, { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
  }
}

function pageOf(slugs: Map<string, DocumentedSlug>): string {
  const sections = [...slugs]
    .map(([slug, { status, uses }]) => {
      const meanings = uses.map(({ by, type }) =>
        `<p><strong>${escapeHtml(type.title)}</strong>${uses.length > 1 ? ` <small>(${escapeHtml(by)})</small>` : ''}</p><p>${markdownHtml(type.explanation)}</p>`,
      );
      return `<section id="${slug}"><h2><a href="#${slug}">${slug}</a> <small>HTTP ${status}</small></h2>${meanings.join('')}</section>`;
    })
    .join('\n');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>subledger errors</title>' +
    '<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}small{color:#666}</style></head>' +
    `<body><h1>Error types</h1><p>Errors are RFC 9457 problem details (<code>application/problem+json</code>); <code>type</code> links here.</p>${sections}</body></html>`
  );
}
