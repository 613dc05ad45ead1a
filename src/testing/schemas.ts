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
