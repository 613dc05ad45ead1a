import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

function oneOf<const T extends readonly string[]>(values: T, fallback: T[number]) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], default: fallback });
}

/** Environment variables the service reads, validated once at start. */
const Environment = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.String({ pattern: '^(sqlite:.+|postgres(ql)?://.+)$', default: 'sqlite:./data/subledger.db' }),
  SUBLEDGER_ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  SUBLEDGER_RATE_LIMIT: Type.Integer({ minimum: 0, default: 6000 }),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://.+' })),
  SUBLEDGER_SQLITE_SYNC: oneOf(['normal', 'full'] as const, 'normal'),
  SUBLEDGER_IDEMPOTENCY_TTL_HOURS: Type.Integer({ minimum: 24, default: 24 }),
  SUBLEDGER_PG_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
});
type Environment = Static<typeof Environment>;

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** undefined disables the admin API (it answers 404). */
  adminToken: string | undefined;
  /** Requests per minute per key; 0 disables rate limiting. */
  rateLimitPerMinute: number;
  smtpUrl: string | undefined;
  sqliteSync: 'normal' | 'full';
  idempotencyTtlMs: number;
  pgPoolSize: number;
  logLevel: string;
}

export class ConfigError extends Error {}

const INTEGER_VARIABLES = new Set(['PORT', 'SUBLEDGER_RATE_LIMIT', 'SUBLEDGER_IDEMPOTENCY_TTL_HOURS', 'SUBLEDGER_PG_POOL_SIZE']);

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
  const withDefaults = Value.Default(Environment, raw) as Environment;
  for (const error of Value.Errors(Environment, withDefaults)) {
    const name = error.instancePath.replace(/^\//, '');
    if (problems.some((p) => p.startsWith(`${name}=`))) continue;
    const allowed = (Environment.properties as Record<string, { enum?: string[] }>)[name]?.enum;
    problems.push(`${name}=${JSON.stringify(env[name])}: ${allowed ? `must be one of ${allowed.join(', ')}` : error.message}`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return {
    port: withDefaults.PORT,
    host: withDefaults.HOST,
    databaseUrl: withDefaults.DATABASE_URL,
    adminToken: withDefaults.SUBLEDGER_ADMIN_TOKEN,
    rateLimitPerMinute: withDefaults.SUBLEDGER_RATE_LIMIT,
    smtpUrl: withDefaults.SMTP_URL,
    sqliteSync: withDefaults.SUBLEDGER_SQLITE_SYNC,
    idempotencyTtlMs: withDefaults.SUBLEDGER_IDEMPOTENCY_TTL_HOURS * 3_600_000,
    pgPoolSize: withDefaults.SUBLEDGER_PG_POOL_SIZE,
    logLevel: withDefaults.LOG_LEVEL,
  };
}
