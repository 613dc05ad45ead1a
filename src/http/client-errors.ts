import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { newId } from '../ledger/ids.js';
import { HttpFailure, type FailureRequest } from './failures.js';
import { renderNeutralFailure } from './neutral-problems.js';
import { renderSurfaceFailure, surfaceAt, type SurfaceDefinition } from './surface.js';

// Bytes node's HTTP parser cannot read as a request never reach fastify's routes or error
// handlers: a body longer than its Content-Length (the rest reads as a next request that is
// not one), a malformed header. fastify's default answer is its own JSON; ours is the
// failure in the shape of the surface whose root the request line names, as for every other
// failure under that root.

const REQUEST_LINE = /^[A-Z]+ (\/\S*) HTTP\/1\.[01]\r?\n/;

interface ClientError extends Error {
  code?: string;
  /** The bytes read so far: a Buffer (fastify's types call it Buffer's JSON form). */
  rawPacket?: Uint8Array | { data: number[] };
}

/** A bodiless answer, then the connection closes. */
const bare = (status: number) => `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;

/** fastify's `clientErrorHandler`: answers what can still be answered, then closes the connection. */
export function answerClientError(surfaces: readonly SurfaceDefinition[], error: ClientError, socket: Socket, publicOriginOf: (socket: Socket) => string): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // No request to speak of: the client sent too little in time, or headers too large to read.
  // A request still arriving when the request timeout ends (SPEC §9) may be mid-body, with a
  // route waiting on it: the 408 goes out, then the socket is destroyed, not left half-open to
  // a client that keeps trickling.
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return void socket.end(bare(408), () => socket.destroy());
  if (error.code === 'HPE_HEADER_OVERFLOW') return void socket.end(bare(431));

  const raw = error.rawPacket;
  const packet = raw ? Buffer.from(raw instanceof Uint8Array ? raw : raw.data).toString('latin1') : '';
  const url = REQUEST_LINE.exec(packet)?.[1] ?? '/';
  const request: FailureRequest = { id: newId('req'), url, publicOrigin: publicOriginOf(socket) };
  const failure = new HttpFailure('request_invalid', 'the request is not valid HTTP/1.1: is its body longer than its Content-Length, or a header malformed?');
  const surface = surfaceAt(surfaces, url);
  const response = surface ? renderSurfaceFailure(surface, failure, request) : renderNeutralFailure(failure, request);
  const headers = { ...response.headers, 'request-id': request.id, 'content-length': String(Buffer.byteLength(response.body)), connection: 'close' };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status]}\r\n${head}\r\n${response.body}`);
}
