import type { Surface } from './surface.js';
import { billing } from './billing.js';
import { org } from './org.js';
import { platform } from './platform.js';

/**
 * The surfaces `npm run bench` measures. Adding a surface is one entry here (and its file):
 * the harness runs every operation of every surface on every store, the scale section for
 * those with `scale`, and pgbench for those with `pgbench`.
 */
export const SURFACES: Surface[] = [billing, platform, org];
