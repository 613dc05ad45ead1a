import { Type, type TSchema } from 'typebox';
import { MAX_ADVANCE_SECONDS } from './clock.js';
import { FAULT_LIMITS, FAULT_METHODS } from './fault-rules.js';

const Timestamp = Type.String({ format: 'date-time' });

export const Clock = Type.Object({
  now: Type.String({ format: 'date-time', description: "The tenant's test-mode time." }),
  frozen: Type.Boolean({ description: 'Whether the clock stands still until it is advanced or resumed.' }),
});

export const ClockFreeze = Type.Object(
  { frozen_at: { ...Timestamp, description: "The instant to freeze at: not before the clock's now (a tenant's time never runs backwards)." } },
  { additionalProperties: false },
);

export const ClockAdvance = Type.Object(
  { seconds: Type.Integer({ minimum: 1, maximum: MAX_ADVANCE_SECONDS, description: `Seconds to move forward, 1 to ${MAX_ADVANCE_SECONDS} (ten years).` }) },
  { additionalProperties: false },
);

export const ResetResult = Type.Object({
  deleted: Type.Record(Type.String(), Type.Integer(), { description: 'Rows deleted, by kind (table).' }),
});

export const SnapshotCreate = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }, { additionalProperties: false });
export const Snapshot = Type.Object({
  id: Type.String({ description: 'snap_…' }),
  name: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
});
export const SnapshotList = Type.Object({ data: Type.Array(Snapshot) });
export const SnapshotPath = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
export const Restored = Type.Object({ id: Type.String(), restored: Type.Boolean(), clock: Clock });
// SPEC §7 "Faults".

const FaultMethod = Type.Union(
  FAULT_METHODS.map((method) => Type.Literal(method)),
  { description: `must be one of ${FAULT_METHODS.join(', ')}` },
);
const FaultCode = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' });
const nullable = <T extends TSchema>(schema: T, description: string) => Type.Union([schema, Type.Null()], { description });

export const FaultCreate = Type.Object(
  {
    method: Type.Optional({ ...FaultMethod, description: 'Only requests of this method (upper case); absent: any method.' }),
    path: Type.String({
      minLength: 1,
      maxLength: 2048,
      pattern: '^/[^?#]*$',
      description: "The request path (no query): exact, or with `*` for one whole segment (`/v2/accounts/*`).",
      examples: ['/transfers'],
    }),
    status: Type.Optional(Type.Integer({ ...FAULT_LIMITS.status, description: "Answer with this status, in the surface's own error shape (400 to 599)." })),
    code: Type.Optional({
      ...FaultCode,
      description: "The answer's code: platform `error_code`; billing the problem `type`'s slug; org a gRPC status name (`FAILED_PRECONDITION`), whose number the body carries. Absent: the surface's own code for the status. Needs `status`.",
    }),
    message: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: "The answer's message (billing: `detail`). Needs `status`." })),
    retry_after: Type.Optional(Type.Integer({ ...FAULT_LIMITS.retryAfter, description: 'Seconds, sent as the Retry-After header. Needs `status`.' })),
    delay_ms: Type.Optional(Type.Integer({ ...FAULT_LIMITS.delayMs, description: 'Wait this long first (0 to 30000 ms); alone, the request then runs and answers as usual.' })),
    drop: Type.Optional(Type.Literal(true, { description: 'Close the connection without an answer (after delay_ms, if given). Not with `status`.' })),
    times: Type.Integer({ ...FAULT_LIMITS.times, default: 1, description: 'How many matching requests it takes (1 to 1000).' }),
  },
  { additionalProperties: false, description: 'At least one of status, delay_ms and drop.' },
);

export const Fault = Type.Object({
  id: Type.String({ examples: ['flt_0Abc123XyZ45678901234'] }),
  method: nullable(Type.String(), 'The method it takes; null: any.'),
  path: Type.String(),
  status: nullable(Type.Integer(), 'The status it answers; null: it delays or drops only.'),
  code: nullable(Type.String(), 'The code it answers; null: the surface’s own for the status.'),
  message: nullable(Type.String(), 'The message it answers; null: one naming the fault.'),
  retry_after: nullable(Type.Integer(), 'The Retry-After it sends, in seconds.'),
  delay_ms: Type.Integer(),
  drop: Type.Boolean(),
  times: Type.Integer(),
  remaining: Type.Integer({ description: 'How many more requests it takes; a spent fault is gone.' }),
  created_at: Type.String({ format: 'date-time' }),
});

export const FaultPath = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });

// SPEC §7 "Waiting for what a test expects".

const WaitMs = Type.Integer({ minimum: 0, maximum: 30_000, default: 0, description: 'When nothing matches yet, wait up to this long (0 to 30000 ms) for something that does.' });
const After = Type.String({ minLength: 1, maxLength: 255, description: 'Only what came after this id (the last one seen).' });
const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 100 });

export const EventWaitQuery = Type.Object(
  {
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Only events of this type, as webhooks name it (`transfer.created`).' })),
    object_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Only events about this object: the object the event carries (a customer, an account, a transfer, …) or the holder it is about (a transfer’s sub-account side).' })),
    after: Type.Optional(After),
    limit: Limit,
    wait_ms: WaitMs,
  },
  { additionalProperties: false },
);

export const TestEvent = Type.Object({
  id: Type.String(),
  type: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  object_id: nullable(Type.String(), 'The object the event carries (its own id: a customer, an account, a transfer), else the holder it is about.'),
  data: Type.Unknown({ description: "The `data` of the surface's webhook envelope: the object as the webhook carries it." }),
  deliveries: Type.Array(
    Type.Object({
      endpoint_id: Type.String(),
      status: Type.String({ description: 'pending, succeeded or failed' }),
      attempts: Type.Integer(),
      response_status: nullable(Type.Integer(), "The HTTP status of the last attempt's answer; null before one, or when none came."),
    }),
  ),
});

export const EmailWaitQuery = Type.Object(
  {
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Only e-mails to this address (exactly as sent).' })),
    after: Type.Optional(After),
    limit: Limit,
    wait_ms: WaitMs,
  },
  { additionalProperties: false },
);

export const TestEmail = Type.Object({
  id: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  status: Type.String({ description: 'pending, sent, logged (no SMTP_URL) or failed' }),
});

export const FaultList = Type.Object({ data: Type.Array(Fault) });
export const TestEventList = Type.Object({ data: Type.Array(TestEvent) });
export const TestEmailList = Type.Object({ data: Type.Array(TestEmail) });
