import { Type, type Static } from 'typebox';

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

export const KeyCreate = Type.Object({ mode: Mode, type: KeyType }, { additionalProperties: false });
export type KeyCreateBody = Static<typeof KeyCreate>;

export const ApiKey = Type.Object({
  id: Type.String(),
  mode: Type.String(),
  type: Type.String(),
  hint: Type.String({ description: 'First and last characters of the key.' }),
  created_at: Timestamp,
  revoked_at: Type.Union([Timestamp, Type.Null()]),
});

export const CreatedApiKey = Type.Object({ ...ApiKey.properties, key: Type.String({ description: 'Shown once.' }) });

export const TenantPath = Type.Object({ tenantId: Type.String({ minLength: 1, maxLength: 255 }) });
export const KeyPath = Type.Object({ tenantId: Type.String({ minLength: 1, maxLength: 255 }), keyId: Type.String({ minLength: 1, maxLength: 255 }) });
