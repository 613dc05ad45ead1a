import type { FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import { HttpFailure } from './failures.js';

/**
 * Routes anyone may call without credentials (`/oauth2/token`, the console's sign-in) read at
 * most this much body (SPEC §9): their bodies are a few short fields, and whatever a stranger
 * makes the service read and parse costs it before any credential is checked.
 */
export const OPEN_ROUTE_BODY_LIMIT_BYTES = 16 * 1024;

const tooLarge = () => new HttpFailure('payload_too_large', `the request body is larger than ${OPEN_ROUTE_BODY_LIMIT_BYTES / 1024} KiB, the most a route that needs no credentials reads`);

/**
 * Route options of an open route's body: a Content-Length over the limit is 413 before a byte
 * of the body is read, and the connection closes after the answer (node would otherwise read
 * the rest to keep it alive); a chunked body is cut at the limit (fastify's bodyLimit).
 */
export const OPEN_ROUTE_BODY = {
  bodyLimit: OPEN_ROUTE_BODY_LIMIT_BYTES,
  preParsing: (request: FastifyRequest, reply: FastifyReply, payload: RequestPayload, done: (error?: Error | null, payload?: RequestPayload) => void) => {
    if (Number(request.headers['content-length']) > OPEN_ROUTE_BODY_LIMIT_BYTES) {
      reply.header('connection', 'close');
      return done(tooLarge());
    }
    done(null, payload);
  },
  onSend: (_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error?: Error | null, payload?: unknown) => void) => {
    if (reply.statusCode === 413) reply.header('connection', 'close');
    done(null, payload);
  },
};
