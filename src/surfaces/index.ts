import type { SurfaceDefinition } from '../http/surface.js';
import { billingSurface } from './billing/surface.js';
import { ORG_SURFACES } from './org/surface.js';
import { platformSurface } from './platform/surface.js';

/**
 * Every vendor surface this service serves: one line each. The HTTP app registers their
 * routes, the runtime their event publications and webhook envelopes, all from this list.
 */
export const VENDOR_SURFACES: readonly SurfaceDefinition[] = [billingSurface, platformSurface, ...ORG_SURFACES];
