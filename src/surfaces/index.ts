import type { SurfaceDefinition } from '../http/surface.js';
import { billingSurface } from './billing/http/surface.js';
import { ORG_SURFACES } from './org/http/surface.js';
import { platformSurface } from './platform/http/surface.js';

/**
 * Every vendor surface this service serves: one line each. The HTTP app registers their
 * routes, the runtime their event publications and webhook envelopes, all from this list.
 */
export const VENDOR_SURFACES: readonly SurfaceDefinition[] = [billingSurface, platformSurface, ...ORG_SURFACES];
