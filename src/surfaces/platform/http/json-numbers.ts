import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLosslessNumber, parse as parseLossless } from 'lossless-json';
import { parseCheckedJson } from '../../../http/json-body.js';

/**
 * Xendit's amounts are JSON numbers in major units (SPEC §4), and an exact conversion needs the
 * number's own text: JSON.parse turns 0.1 + a long tail of digits into the nearest double, and
 * Node 20 has no JSON.parse source-text access. So the money routes parse their bodies twice:
 * fastify's parser (prototype-poisoning checks, limits) gives the body the schema validates, and
 * lossless-json keeps the text of each top-level number, which amounts are converted from.
 */
const numberTexts = new WeakMap<FastifyRequest, Record<string, string>>();

/** The text of a top-level number field of the request's body, as sent. */
export function numberTextOf(request: FastifyRequest, field: string): string | undefined {
  return numberTexts.get(request)?.[field];
}

/** Replaces the JSON parser of one surface root (fastify scopes content-type parsers to a plugin). */
export function parseJsonKeepingNumberTexts(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) =>
    parseCheckedJson(parseJson, request, body as Buffer, (error, value, text) => {
      if (error) return done(error, undefined);
      const lossless = parseLossless(text!) as unknown;
      if (lossless && typeof lossless === 'object' && !Array.isArray(lossless)) {
        const texts: Record<string, string> = {};
        for (const [key, field] of Object.entries(lossless)) if (isLosslessNumber(field)) texts[key] = field.value;
        numberTexts.set(request, texts);
      }
      done(null, value);
    }),
  );
}

const MARK = '\u0001';

/** A number to be written into JSON as exactly this decimal text (no double in between). */
export const exactNumber = (decimal: string): string => `${MARK}${decimal}${MARK}`;

/** JSON.stringify, with every exactNumber(...) written as the bare number it stands for. */
export function stringifyWithExactNumbers(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001(-?\d+(?:\.\d+)?)\\u0001"/g, '$1');
}
