import { Type } from 'typebox';
import { MAX_ADVANCE_SECONDS } from './clock.js';

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
