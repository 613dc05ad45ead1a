import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { plainAddress, type TrustedProxies } from './trusted-proxies.js';

// Where this service is, for the absolute URLs it writes (problem `type`s) and the console's
// origin check (SPEC §9 "The Host header steers nothing"): SUBLEDGER_PUBLIC_URL when set; else,
// for a request a trusted proxy forwarded, what it says (X-Forwarded-Proto and -Host, else the
// Host it sent); else the address and port the connection reached. Never the Host header of a
// client we do not trust: it is the attacker's to choose.

declare module 'fastify' {
  interface FastifyRequest {
    /** `scheme://host[:port]` of this service as the request's client should address it. */
    readonly publicOrigin: string;
  }
}

const hostPart = (address: string) => (address.includes(':') ? `[${address}]` : address);

/** The origin a connection reached (its local address and port), or `fallback` when it has none (an injected request). */
export function socketOrigin(socket: Socket | undefined, fallback: () => string): string {
  const address = socket?.localAddress;
  const port = socket?.localPort;
  if (!address || !port) return fallback();
  return `http://${hostPart(plainAddress(address))}:${port}`;
}

/** Adds `request.publicOrigin` (computed when read: most requests never need it). */
export function registerPublicOrigin(app: FastifyInstance, config: Pick<Config, 'publicUrl' | 'host' | 'port'>, proxies: TrustedProxies): (socket: Socket | undefined) => string {
  // Not listening (inject), or the socket says nothing: the configured listening address.
  const listening = () => {
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host;
    return `http://${hostPart(host)}:${port}`;
  };
  const originOfSocket = (socket: Socket | undefined) => config.publicUrl ?? socketOrigin(socket, listening);
  app.decorateRequest('publicOrigin', {
    getter(this: FastifyRequest): string {
      if (config.publicUrl) return config.publicUrl;
      // fastify reads X-Forwarded-Proto and -Host only from a trusted peer (trustProxy, app.ts).
      if (proxies.trusts(this.socket?.remoteAddress)) return `${this.protocol}://${this.host}`;
      return originOfSocket(this.socket);
    },
  });
  return originOfSocket;
}

/** Whether the console's cookie must be Secure: the public origin is https (SUBLEDGER_PUBLIC_URL, or a trusted TLS proxy's X-Forwarded-Proto). */
export const servedOverTls = (request: FastifyRequest): boolean => request.publicOrigin.startsWith('https:') || request.protocol === 'https';
