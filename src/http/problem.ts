import type { FastifyRequest } from 'fastify';
import type { WireViolation } from './failures.js';

/** RFC 9457 Problem Details, the error shape of the billing surface and the admin API. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  request_id: string;
  errors?: WireViolation[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Where `/docs/errors` is served for this request (`type` URIs point there). */
export function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export function problemOf(
  request: FastifyRequest,
  problem: { slug: string; title: string; status: number; detail: string; errors?: WireViolation[]; extensions?: Record<string, unknown> },
): ProblemDetails {
  return {
    type: `${baseUrlOf(request)}/docs/errors#${problem.slug}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance: request.url.split('?')[0],
    request_id: request.id,
    ...(problem.errors && problem.errors.length > 0 ? { errors: problem.errors } : {}),
    ...problem.extensions,
  };
}
