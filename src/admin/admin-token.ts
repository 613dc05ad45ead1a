/**
 * What makes SUBLEDGER_ADMIN_TOKEN acceptable (SPEC §1): at least 32 characters, and not a
 * placeholder our own docs print. The start refuses anything else, naming the variable and
 * never its value (a token pasted into a log or a CI output is a token given away).
 */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

/** How the docs tell an operator to make one. */
export const ADMIN_TOKEN_HINT = 'generate one with: openssl rand -hex 32';

/**
 * Tokens printed in the README and docs (and earlier versions of them) as examples: someone who
 * copies one has a token everybody knows. test/docs/admin-token.test.ts checks that every
 * `SUBLEDGER_ADMIN_TOKEN=…` example in README.md and docs/*.md is refused.
 */
export const DOCUMENTED_PLACEHOLDERS: readonly string[] = [
  'change-me-to-16-chars-or-more',
  'replace-me-with-the-output-of-openssl-rand-hex-32',
];

/** Words that only a placeholder holds; a generated token (hex, base64) never spells them. */
const PLACEHOLDER_WORDS = /change-?me|replace-?me|placeholder|example|your-?(admin-?)?token|<|>/i;
/** A generated token of 32 characters has far more distinct ones ("aaaa…", "0123…0123" are not tokens). */
const MIN_DISTINCT_CHARACTERS = 8;

/** Why the value cannot be the admin token, in words that never repeat it; undefined when it can. */
export function adminTokenProblem(value: string): string | undefined {
  if (value.length < MIN_ADMIN_TOKEN_LENGTH) return `SUBLEDGER_ADMIN_TOKEN must have at least ${MIN_ADMIN_TOKEN_LENGTH} characters (${ADMIN_TOKEN_HINT})`;
  if (DOCUMENTED_PLACEHOLDERS.includes(value) || PLACEHOLDER_WORDS.test(value) || new Set(value).size < MIN_DISTINCT_CHARACTERS) {
    return `SUBLEDGER_ADMIN_TOKEN is a placeholder, not a secret (${ADMIN_TOKEN_HINT})`;
  }
  return undefined;
}
