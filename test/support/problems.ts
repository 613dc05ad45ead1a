import assert from 'node:assert/strict';
import type { ApiResponse } from './http.js';

/** A stack frame ("at fn (file:1:2)" / "at file:1:2"), a dependency path, or an internal code of fastify or node's parser. */
const INTERNALS = /\bat (?:\S+ \()?(?:file:|node:|\/)\S*:\d+:\d+|node_modules|FST_ERR|HPE_/;

/** RFC 9457 problem+json whose `type` is `<origin><docsPath>#<slug>`, with its request id and nothing internal. */
export function assertProblemAt(docsPath: string, response: ApiResponse, status: number, slug: string): void {
  assert.equal(response.status, status, response.text);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, response.text);
  const type = new URL(response.body.type);
  assert.equal(`${type.pathname}${type.hash}`, `${docsPath}#${slug}`, response.body.type);
  assert.equal(response.body.status, status);
  assert.equal(response.body.request_id, response.headers.get('request-id'));
  assert.doesNotMatch(response.text, INTERNALS);
}
