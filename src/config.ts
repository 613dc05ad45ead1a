import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { adminTokenProblem } from './admin/admin-token.js';
import { parseTrustedProxies } from './http/trusted-proxies.js';

/**
 * Seconds to wait after each failed attempt (the first attempt is immediate): Standard
 * Webhooks' example schedule, about 75 hours in all; the last attempt fails the delivery.
 */
export const DEFAULT_RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400];

function oneOf<const T extends readonly string[]>(values: T, fallback: T[number]) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], default: fallback });
}

/** The most API processes `serve --processes` starts on one machine (each one holds its own PostgreSQL pool). */
export const MAX_PROCESSES = 64;

/** Environment variables the service reads, validated once at start. */
const Environment = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.String({ pattern: '^(sqlite:.+|postgres(ql)?://.+)$', default: 'sqlite:./data/subledger.db' }),
  SUBLEDGER_ADMIN_TOKEN: Type.Optional(Type.String()),
  SUBLEDGER_RATE_LIMIT: Type.Integer({ minimum: 0, default: 6000 }),
  SUBLEDGER_TRUST_PROXY: Type.Optional(Type.String()),
  SUBLEDGER_PUBLIC_URL: Type.Optional(Type.String()),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://.+' })),
  SUBLEDGER_SQLITE_SYNC: oneOf(['normal', 'full'] as const, 'normal'),
  SUBLEDGER_SQLITE_TRACE: Type.Optional(Type.String({ minLength: 1 })),
  SUBLEDGER_IDEMPOTENCY_TTL_HOURS: Type.Integer({ minimum: 24, default: 24 }),
  SUBLEDGER_PG_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  SUBLEDGER_PG_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
  SUBLEDGER_KEY_CACHE_SECONDS: Type.Integer({ minimum: 0, maximum: 300, default: 5 }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
  SUBLEDGER_WORKERS: oneOf(['on', 'off'] as const, 'on'),
  SUBLEDGER_PROCESSES: Type.Integer({ minimum: 1, maximum: MAX_PROCESSES, default: 1 }),
  SUBLEDGER_MAIL_FROM: Type.String({ minLength: 3, default: 'subledger <no-reply@subledger.local>' }),
  SUBLEDGER_WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 10_000 }),
  SUBLEDGER_WEBHOOK_PRIVATE: oneOf(['allow', 'deny'] as const, 'allow'),
  SUBLEDGER_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
  SUBLEDGER_OUTBOX_LEASE_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
  SUBLEDGER_OUTBOX_POLL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 250 }),
  SUBLEDGER_RETRY_SCHEDULE: Type.String({
    pattern: '^\\d+(\\.\\d+)?(,\\d+(\\.\\d+)?)*$',
    default: DEFAULT_RETRY_SCHEDULE_SECONDS.join(','),
  }),
});
type Environment = Static<typeof Environment>;

/** Every environment variable the service reads (tools that start it clear these first). */
export const SERVICE_VARIABLES: readonly string[] = Object.keys(Environment.properties);

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** undefined disables the admin API (it answers 404). */
  adminToken: string | undefined;
  /** Addresses and CIDR ranges of the reverse proxies whose X-Forwarded-* headers are believed; empty: none. */
  trustProxy: readonly string[];
  /** The origin (`https://ledger.example.com`) of every absolute URL we write; undefined: the address a request reached. */
  publicUrl: string | undefined;
  /** Requests per minute per key; 0 disables rate limiting. */
  rateLimitPerMinute: number;
  smtpUrl: string | undefined;
  sqliteSync: 'normal' | 'full';
  /**
   * Bench only (bench/floor.ts): a file every SQLite statement the server runs is appended to,
   * one JSON line each (sql, params, op). Slows every statement; undefined: no trace.
   */
  sqliteTrace: string | undefined;
  idempotencyTtlMs: number;
  pgPoolSize: number;
  /** How long opening a PostgreSQL connection may take (a server that does not answer is down). */
  pgConnectTimeoutMs: number;
  /**
   * How long a process trusts an API key lookup it made (0: it looks every key up per request).
   * It bounds how long a key revoked elsewhere (the CLI, another process) keeps working here.
   */
  keyCacheMs: number;
  logLevel: string;
  /** Whether `serve` runs the outbox worker (webhooks, e-mail) in its process. */
  workers: boolean;
  /** API processes `serve` runs on one machine (node:cluster, PostgreSQL only); `serve --processes` overrides it. */
  processes: number;
  mailFrom: string;
  webhookTimeoutMs: number;
  /** Whether webhook endpoints may be on loopback and private networks (SPEC §9: allowed unless `deny`). */
  webhookPrivateNetworks: 'allow' | 'deny';
  /** How long a request's headers and body may take to arrive; later: 408 and the connection closed (SPEC §9). */
  requestTimeoutMs: number;
  /** How long a claimed delivery is someone's; after that a crashed worker's claims are retried. */
  outboxLeaseMs: number;
  outboxPollMs: number;
  /** Milliseconds to wait after the 1st, 2nd, … failed attempt; exhausted: the delivery has failed. */
  retryScheduleMs: number[];
}

export class ConfigError extends Error {}

const INTEGER_VARIABLES = new Set([
  'PORT',
  'SUBLEDGER_RATE_LIMIT',
  'SUBLEDGER_IDEMPOTENCY_TTL_HOURS',
  'SUBLEDGER_PG_POOL_SIZE',
  'SUBLEDGER_PG_CONNECT_TIMEOUT_MS',
  'SUBLEDGER_KEY_CACHE_SECONDS',
  'SUBLEDGER_WEBHOOK_TIMEOUT_MS',
  'SUBLEDGER_REQUEST_TIMEOUT_MS',
  'SUBLEDGER_OUTBOX_LEASE_SECONDS',
  'SUBLEDGER_OUTBOX_POLL_MS',
  'SUBLEDGER_PROCESSES',
]);

/** SUBLEDGER_PUBLIC_URL as an origin: http(s), a host, maybe a port; no path, query or credentials. */
function publicOriginOf(value: string): { origin: string } | { problem: string } {
  const problem = { problem: `SUBLEDGER_PUBLIC_URL=${JSON.stringify(value.slice(0, 100))}: must be an http:// or https:// origin such as https://ledger.example.com (no path, query or user)` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problem;
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.pathname !== '/' || url.search || url.hash) return problem;
  return { origin: url.origin };
}

/** @throws ConfigError naming every bad variable and what it must be */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of Object.keys(Environment.properties)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (INTEGER_VARIABLES.has(name)) {
      if (!/^-?\d+$/.test(value.trim())) problems.push(`${name}=${JSON.stringify(value)}: must be an integer`);
      else raw[name] = Number(value.trim());
    } else raw[name] = value;
  }
  const trustProxy = typeof raw.SUBLEDGER_TRUST_PROXY === 'string' ? parseTrustedProxies(raw.SUBLEDGER_TRUST_PROXY) : { entries: [] };
  if ('problem' in trustProxy) problems.push(trustProxy.problem);
  const publicUrl = typeof raw.SUBLEDGER_PUBLIC_URL === 'string' ? publicOriginOf(raw.SUBLEDGER_PUBLIC_URL) : { origin: undefined };
  if ('problem' in publicUrl) problems.push(publicUrl.problem);
  // Checked by its own rule, whose words never repeat the value (SPEC §1).
  const adminToken = raw.SUBLEDGER_ADMIN_TOKEN;
  if (typeof adminToken === 'string') {
    const problem = adminTokenProblem(adminToken);
    if (problem) problems.push(problem);
  }
  const withDefaults = Value.Default(Environment, raw) as Environment;
  for (const error of Value.Errors(Environment, withDefaults)) {
    const name = error.instancePath.replace(/^\//, '');
    if (problems.some((p) => p.startsWith(`${name}=`))) continue;
    const allowed = (Environment.properties as Record<string, { enum?: string[] }>)[name]?.enum;
    problems.push(`${name}=${JSON.stringify(env[name])}: ${allowed ? `must be one of ${allowed.join(', ')}` : error.message}`);
  }
  if (problems.length === 0 && withDefaults.SUBLEDGER_OUTBOX_LEASE_SECONDS * 1000 <= withDefaults.SUBLEDGER_WEBHOOK_TIMEOUT_MS) {
    problems.push('SUBLEDGER_OUTBOX_LEASE_SECONDS must be longer than SUBLEDGER_WEBHOOK_TIMEOUT_MS (a lease must outlive the request it covers)');
  }
  // One line (SPEC §1): each bad variable with what it must be.
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return {
    port: withDefaults.PORT,
    host: withDefaults.HOST,
    databaseUrl: withDefaults.DATABASE_URL,
    adminToken: withDefaults.SUBLEDGER_ADMIN_TOKEN,
    trustProxy: 'entries' in trustProxy ? trustProxy.entries : [],
    publicUrl: 'origin' in publicUrl ? publicUrl.origin : undefined,
    rateLimitPerMinute: withDefaults.SUBLEDGER_RATE_LIMIT,
    smtpUrl: withDefaults.SMTP_URL,
    sqliteSync: withDefaults.SUBLEDGER_SQLITE_SYNC,
    sqliteTrace: withDefaults.SUBLEDGER_SQLITE_TRACE,
    idempotencyTtlMs: withDefaults.SUBLEDGER_IDEMPOTENCY_TTL_HOURS * 3_600_000,
    pgPoolSize: withDefaults.SUBLEDGER_PG_POOL_SIZE,
    pgConnectTimeoutMs: withDefaults.SUBLEDGER_PG_CONNECT_TIMEOUT_MS,
    keyCacheMs: withDefaults.SUBLEDGER_KEY_CACHE_SECONDS * 1000,
    logLevel: withDefaults.LOG_LEVEL,
    workers: withDefaults.SUBLEDGER_WORKERS === 'on',
    processes: withDefaults.SUBLEDGER_PROCESSES,
    mailFrom: withDefaults.SUBLEDGER_MAIL_FROM,
    webhookTimeoutMs: withDefaults.SUBLEDGER_WEBHOOK_TIMEOUT_MS,
    webhookPrivateNetworks: withDefaults.SUBLEDGER_WEBHOOK_PRIVATE,
    requestTimeoutMs: withDefaults.SUBLEDGER_REQUEST_TIMEOUT_MS,
    outboxLeaseMs: withDefaults.SUBLEDGER_OUTBOX_LEASE_SECONDS * 1000,
    outboxPollMs: withDefaults.SUBLEDGER_OUTBOX_POLL_MS,
    retryScheduleMs: withDefaults.SUBLEDGER_RETRY_SCHEDULE.split(',').map((seconds) => Math.round(Number(seconds) * 1000)),
  };
}
