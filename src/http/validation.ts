import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { WireViolation } from './failures.js';

/**
 * Two validators: bodies are checked strictly (no type coercion: `"2000"` is not an integer
 * amount; unknown fields are errors, never silently dropped), while query strings, params and
 * headers, which are text on the wire, are coerced.
 */
function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: coerce ? 'array' : false,
    removeAdditional: false,
    useDefaults: true,
    verbose: true,
    strict: false,
  });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv;
}

const bodyAjv = createAjv(false);
const textAjv = createAjv(true);

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
};

const MAX_VIOLATIONS = 50;

const ARTICLE: Record<string, string> = { integer: 'an integer', object: 'an object', array: 'an array', null: 'null' };

function messageFor(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a recognised field';
    case 'type': {
      const types = String(p.type).split(',');
      return `must be ${types.map((t) => ARTICLE[t] ?? `a ${t}`).join(' or ')}`;
    }
    case 'maxLength':
      return `must be at most ${p.limit} characters`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters`;
    case 'pattern':
      return `must match the pattern ${p.pattern}`;
    case 'maximum':
    case 'minimum': {
      if (Math.abs(Number(p.limit)) === Number.MAX_SAFE_INTEGER) {
        return 'must be an integer within ±(2^53−1) (9007199254740991): larger numbers cannot be represented exactly in JSON';
      }
      if (error.keyword === 'minimum' && p.limit === 0) return 'must not be negative';
      return `must be ${error.keyword === 'maximum' ? 'at most' : 'at least'} ${p.limit}`;
    }
    case 'maxProperties':
      return `must have at most ${p.limit} keys`;
    case 'format':
      return p.format === 'email' ? 'must be a valid email address' : `must be a valid ${p.format}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'anyOf':
    case 'oneOf':
      return (error.parentSchema as { description?: string } | undefined)?.description ?? 'has an unexpected form';
    default:
      return error.message ?? 'is invalid';
  }
}

function pathOf(error: ErrorObject, context: string | undefined): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const p = error.params as Record<string, unknown>;
  if (error.keyword === 'required') segments.push(String(p.missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String(p.additionalProperty));
  if (error.keyword === 'propertyNames' || p.propertyName !== undefined) segments.push(String(p.propertyName));
  const path = segments.join('.');
  if (context === 'headers') return HEADER_NAMES[path] ?? path;
  return path;
}

function keyMessage(inner: ErrorObject | undefined): string {
  if (inner?.keyword === 'maxLength') return `key must be at most ${(inner.params as { limit: number }).limit} characters`;
  if (inner?.keyword === 'minLength') return 'key must not be empty';
  return 'is not an acceptable key';
}

/** Header names as clients spell them (fastify lowercases header schemas). */
const HEADER_NAMES: Record<string, string> = { 'idempotency-key': 'Idempotency-Key' };

/**
 * Ajv errors as field violations. A union that failed is reported once, with its description,
 * unless the value took the object branch: then the object's own field errors (the params
 * below the union's) are clearer, and the union's other branches are noise.
 */
export function describeValidation(error: unknown): WireViolation[] {
  const { validation = [], validationContext } = error as { validation?: ErrorObject[]; validationContext?: string };
  const isUnion = (e: ErrorObject) => e.keyword === 'anyOf' || e.keyword === 'oneOf';
  const described = validation
    // A bad map key is reported twice by ajv: the inner check (no key name) then propertyNames (the key).
    .filter((e) => !e.schemaPath.includes('/propertyNames/'))
    .map((e) => ({
      error: e,
      param: pathOf(e, validationContext) || validationContext || 'body',
      message: e.keyword === 'propertyNames' ? keyMessage(validation[validation.indexOf(e) - 1]) : messageFor(e),
    }));
  const unions = described.filter((d) => isUnion(d.error));
  const violations: WireViolation[] = [];
  const seen = new Set<string>();
  for (const d of described) {
    const union = unions.find((u) => d.error.instancePath === u.error.instancePath || d.error.instancePath.startsWith(`${u.error.instancePath}/`));
    if (union) {
      const deeper = (x: { param: string }) => x.param.startsWith(`${union.param}.`);
      const objectBranch = described.some((o) => !isUnion(o.error) && deeper(o));
      if (objectBranch ? !deeper(d) : !isUnion(d.error)) continue;
    }
    const id = `${d.param}\u0000${d.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    violations.push({ param: d.param, message: d.message });
    if (violations.length === MAX_VIOLATIONS) break;
  }
  return violations;
}
