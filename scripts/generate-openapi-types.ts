import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { GENERATED_TYPES_FILE, servedOpenApiTypes } from '../test/support/openapi.js';
import { build } from '../test/support/server.js';

// npm run generate:openapi-types: the client types of /openapi.json as a test server serves it
// (SQLite, admin API on), written where the generated-client test compares and uses them.

const server = await build('sqlite');
try {
  writeFileSync(GENERATED_TYPES_FILE, await servedOpenApiTypes(server));
  console.log(`wrote ${relative(process.cwd(), GENERATED_TYPES_FILE)}`);
} finally {
  await server.close();
}
