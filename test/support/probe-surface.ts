import { Type } from 'typebox';
import { bearerTokenOf } from '../../src/http/auth.js';
import { HttpFailure, type Failure } from '../../src/http/failures.js';
import { commandContextOf, type SurfaceDefinition } from '../../src/http/surface.js';

// A vendor surface of the tests' own, registered next to the real ones (buildApp's
// extraSurfaces): two roots, one of them a single exact path with an open route, and an error
// shape that is nobody else's, so that a test can tell who answered.

export const PROBE_CONTENT_TYPE = 'application/vnd.probe-error+json';

const STATUS_OF_CODE: Record<string, number> = {
  request_invalid: 400,
  malformed_json: 400,
  validation_failed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  route_not_found: 404,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
};

/** `{ probe_error: <failure code>, message }`, in a content type no real surface uses. */
function renderProbeFailure(failure: Failure) {
  const status = STATUS_OF_CODE[failure.code] ?? 500;
  const headers = { 'content-type': PROBE_CONTENT_TYPE, ...(failure instanceof HttpFailure ? failure.headers : {}) };
  return { status, headers, body: JSON.stringify({ probe_error: failure.code, message: failure.message }), resourceId: null };
}

export const probeSurface: SurfaceDefinition = {
  name: 'probe',
  routes: {
    '/probe': (app, { services }) => {
      app.get('/whoami', { schema: { tags: ['probe'], security: [{ probeKey: [] }] } }, async (request) => {
        const principal = request.principal!;
        return { key_id: principal.keyId, roles: principal.roles, client_id: principal.clientId, actor: principal.actor, context_actor: (await commandContextOf(request, services)).actor };
      });
      app.post('/echo', { schema: { body: Type.Object({ text: Type.String() }, { additionalProperties: false }) } }, async (request) => request.body);
      // Reads the store on every call (the key lookup alone may be cached).
      app.get('/tenant-count', async () => ({ tenants: await services.store.reader.tenants.count() }));
    },
    // A single exact path, like /oauth2/token: its route has url ''.
    '/probe-oauth/token': (app) => {
      app.post('', { config: { auth: false }, schema: { body: Type.Object({ grant_type: Type.String() }) } }, async (request) => ({
        access_token: 'probe-token',
        principal: request.principal,
      }));
    },
  },
  async authenticate(request, services) {
    // As an OAuth surface would: a token issued to a client acts as that client. The token is
    // `<key>~<client id>`, so that the principal follows from the Authorization header alone,
    // as every surface's must (it is cached by that header).
    const [key, clientId] = bearerTokenOf(request).split('~');
    const principal = await services.authenticator.authenticate(key!);
    return clientId === undefined ? principal : { ...principal, clientId, actor: clientId };
  },
  authenticationChallenge: 'Bearer realm="probe"',
  renderFailure: renderProbeFailure,
  idempotencyHeaders: ['idempotency-key'],
  securitySchemes: { probeKey: { type: 'http', scheme: 'bearer', description: 'Any API key' } },
  tags: [{ name: 'probe', description: 'The tests’ own surface' }],
  openApiFailures: {
    mediaType: PROBE_CONTENT_TYPE,
    schemaName: 'ProbeError',
    schema: Type.Object({ probe_error: Type.String(), message: Type.String() }),
    describe: (status) => `probe failure ${status}`,
    authentication: [401, 403, 429],
  },
};
