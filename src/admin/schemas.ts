import { Type, type Static, type TSchema } from 'typebox';

const Mode = Type.Union([Type.Literal('test'), Type.Literal('live')], { description: 'must be "test" or "live"' });
const KeyType = Type.Union([Type.Literal('secret'), Type.Literal('publishable')], { description: 'must be "secret" or "publishable"' });
const Timestamp = Type.String({ format: 'date-time' });

export const TenantCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255, examples: ['acme'] }),
    country: Type.Optional(Type.String({ description: 'ISO 3166-1 alpha-2; default ID.', examples: ['ID'] })),
  },
  { additionalProperties: false },
);
export type TenantCreateBody = Static<typeof TenantCreate>;

const KeyPair = Type.Object({
  secret: Type.String(),
  secret_id: Type.String({ description: 'The id that lists and revokes the secret key (key_…).' }),
  publishable: Type.String(),
  publishable_id: Type.String({ description: 'The id that lists and revokes the publishable key.' }),
  xendit: Type.String({ description: 'A secret key in Xendit’s shape (xnd_development_… in test mode, xnd_production_… in live), for Xendit’s SDKs; valid on every surface.' }),
  xendit_id: Type.String({ description: 'The id that lists and revokes the Xendit-format key.' }),
});

export const CreatedTenant = Type.Object({
  id: Type.String(),
  name: Type.String(),
  country: Type.String(),
  keys: Type.Object({ test: KeyPair, live: KeyPair }, { description: 'Shown once; only hashes are stored.' }),
  created_at: Timestamp,
});

export const Tenant = Type.Object({
  id: Type.String(),
  name: Type.String(),
  country: Type.String(),
  callback_token: Type.String({ description: 'Sent as x-callback-token on platform webhooks.' }),
  created_at: Timestamp,
});

const Cursor = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 255, description }));
export const TenantListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    starting_after: Cursor('Id of the tenant after which the page starts (next page).'),
    ending_before: Cursor('Id of the tenant before which the page ends (previous page).'),
  },
  { additionalProperties: false },
);

export const TenantList = Type.Object({ data: Type.Array(Tenant), has_more: Type.Boolean() });

const KeyFormat = Type.Union([Type.Literal('subledger'), Type.Literal('xendit')], {
  description: 'must be "subledger" (sk_test_…, the default) or "xendit" (xnd_development_… in test mode, xnd_production_… in live: what Xendit’s SDKs expect)',
});
export const KeyCreate = Type.Object({ mode: Mode, type: KeyType, format: Type.Optional(KeyFormat) }, { additionalProperties: false });
export type KeyCreateBody = Static<typeof KeyCreate>;

export const ApiKey = Type.Object({
  id: Type.String(),
  mode: Type.String(),
  type: Type.String(),
  format: Type.String({ description: '"subledger" (sk_…, pk_…) or "xendit" (xnd_…).' }),
  hint: Type.String({ description: 'First and last characters of the key.' }),
  created_at: Timestamp,
  revoked_at: Type.Union([Timestamp, Type.Null()]),
});

export const CreatedApiKey = Type.Object({ ...ApiKey.properties, key: Type.String({ description: 'Shown once.' }) });
export const RotatedApiKey = Type.Object({ ...CreatedApiKey.properties, replaces: Type.String({ description: 'The id of the key it replaces, now revoked.' }) });

export const TenantPath = Type.Object({ tenantId: Type.String({ minLength: 1, maxLength: 255 }) });
export const KeyPath = Type.Object({ tenantId: Type.String({ minLength: 1, maxLength: 255 }), keyId: Type.String({ minLength: 1, maxLength: 255 }) });

// The outbox's objects (outbox-routes.ts). Response schemas also serialize: every field the
// presenters write is listed, nullable ones as such.
const Id = Type.String({ minLength: 1, maxLength: 255 });
const OrNull = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const EndpointPath = Type.Object({ tenantId: Id, endpointId: Id });
export const DeliveryPath = Type.Object({ tenantId: Id, deliveryId: Id });

export const WebhookEndpointCreate = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, examples: ['https://example.com/webhooks'] }),
    mode: Mode,
    events: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 100, default: ['*'], description: 'Event types, "*", or prefixes like "billing.*".' })),
  },
  { additionalProperties: false },
);

export const WebhookEndpoint = Type.Object({ id: Type.String(), url: Type.String(), mode: Type.String(), events: Type.Array(Type.String()), created_at: Timestamp });
export const CreatedWebhookEndpoint = Type.Object({ ...WebhookEndpoint.properties, secret: Type.String({ description: 'Signing secret (whsec_…); shown once.' }) });
export const DeletedWebhookEndpoint = Type.Object({ id: Type.String(), deleted: Type.Boolean() });

export const DeliveryListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')], { description: 'must be pending, succeeded or failed' })),
    endpoint_id: Type.Optional(Id),
    event_id: Type.Optional(Id),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  },
  { additionalProperties: false },
);

const deliveryFields = {
  id: Type.String(),
  mode: Type.String(),
  event_id: Type.String(),
  event_type: Type.String(),
  endpoint_id: Type.String(),
  status: Type.String({ description: 'pending, succeeded or failed' }),
  next_attempt_at: OrNull(Timestamp),
  last_error: OrNull(Type.String()),
  last_status_code: OrNull(Type.Integer()),
  created_at: Timestamp,
  delivered_at: OrNull(Timestamp),
};
export const WebhookDelivery = Type.Object({ ...deliveryFields, attempts: Type.Integer({ description: 'Attempts made so far.' }) });
const DeliveryAttempt = Type.Object({ attempt: Type.Integer(), started_at: Timestamp, duration_ms: Type.Number(), status_code: OrNull(Type.Integer()), error: OrNull(Type.String()) });
export const WebhookDeliveryWithAttempts = Type.Object({ ...deliveryFields, attempts: Type.Array(DeliveryAttempt) });

export const EmailListQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }, { additionalProperties: false });
export const EmailCreate = Type.Object(
  {
    to: Type.String({ format: 'email', maxLength: 254 }),
    subject: Type.String({ minLength: 1, maxLength: 998 }),
    text: Type.String({ maxLength: 100_000 }),
    mode: Type.Optional(Mode),
  },
  { additionalProperties: false },
);
export const Email = Type.Object({
  id: Type.String(),
  mode: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  status: Type.String({ description: 'pending, sent, logged (no SMTP_URL) or failed' }),
  attempts: Type.Integer(),
  last_error: OrNull(Type.String()),
  created_at: Timestamp,
  sent_at: OrNull(Timestamp),
});

/** `{ data: [...] }`: the admin API's lists. */
export const DataOf = <T extends TSchema>(item: T) => Type.Object({ data: Type.Array(item) });
