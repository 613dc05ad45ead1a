import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';

// openapi-typescript builds its output with the TypeScript 5 compiler API; it is resolved from
// this workspace (tools/openapi-client), whose own node_modules hold that version, while the
// project compiles with TypeScript 7.

/** The TypeScript types (`paths`, `components`, `operations`) of an OpenAPI document, as openapi-typescript's CLI writes them. */
export async function openApiTypes(document: object, regenerateWith: string): Promise<string> {
  const ast = await openapiTS(document as OpenAPI3, { silent: true });
  return `${COMMENT_HEADER}// Regenerate with \`${regenerateWith}\` (a test fails while this file differs).\n\n${astToString(ast)}`;
}
