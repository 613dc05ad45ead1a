import { billingVendor } from './billing/vendor.js';
import { orgVendor } from './org/vendor.js';
import { platformVendor } from './platform/vendor.js';
import type { VendorModule } from './vendor-module.js';

/**
 * Every vendor this service serves: one line each. The runtime takes their migrations, event
 * publications, webhook envelopes and directory sources from this list, the HTTP app their
 * surfaces and operator routes. A fourth vendor is one folder under src/surfaces/ and one line here.
 */
export const VENDORS: readonly VendorModule[] = [billingVendor, platformVendor, orgVendor];
