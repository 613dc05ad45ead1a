import type { Migration } from 'kysely';
import type { AppServices } from '../http/services.js';
import type { SurfaceApp, SurfaceDefinition, SurfaceKit } from '../http/surface.js';
import type { Scope } from '../ledger/model.js';
import type { DirectorySource } from '../store/account-directory.js';
import type { DirectoryEntry, Repositories } from '../store/ports.js';

/** How the operator console's account page shows one kind of the vendor's holders. */
export interface HolderPage {
  /** The vendor's own stored object behind a directory entry (shown as its stored fields). */
  find(repos: Repositories, scope: Scope, id: string): Promise<unknown>;
  /** What an operator may do with it (the page's `actions`, named as the admin API documents them). */
  actions?(holder: unknown, entry: DirectoryEntry): Record<string, unknown>;
}

/**
 * One vendor, self-contained in its folder under src/surfaces/: what the service needs to know
 * of it, handed over in one object and registered with one line (src/surfaces/index.ts). The
 * kernel never sees it; its commands reach the kernel through src/ledger and its tables
 * through defineRepositories (src/store/module-repositories.ts).
 */
export interface VendorModule {
  /** Its name, for messages. */
  name: string;
  /** Its HTTP surfaces: path roots, authentication, error shape, event publications, webhook envelope. */
  surfaces: readonly SurfaceDefinition[];
  /**
   * Its tables: frozen migrations named `YYYY-MM-DD-what`, run with the service's own in name
   * order (one migration set for SQLite and PostgreSQL).
   */
  migrations?: Readonly<Record<string, Migration>>;
  /**
   * Its tables of a tenant's data in one mode (each has `tenant_id` and `mode` columns): what
   * the testing API's reset deletes and its snapshots keep (SPEC §7). Tables of a tenant's
   * configuration (API clients, keys) are not among them.
   */
  modeData?: readonly string[];
  /** The roles (OAuth scopes) its routes check; a secret key has every vendor's. */
  roles?: readonly string[];
  /** Its balance holders, as the operator console's account directory lists them. */
  directory?: readonly DirectorySource[];
  /** Its holders' account pages in the operator console, by directory kind. */
  holderPages?: Readonly<Record<string, HolderPage>>;
  /** Operator routes for its own objects, under /admin/v1 (they answer in the admin API's shape). */
  registerAdminRoutes?(app: SurfaceApp, services: AppServices): void;
  /**
   * Its routes of the testing control plane, under /testing/v1 (SPEC §7): test mode only, the
   * control plane's authentication and problem+json. The vendor names its own paths
   * (`/billing/payments`); the control plane knows no vendor.
   */
  registerTestingRoutes?(app: SurfaceApp, kit: SurfaceKit): void;
}

/** Every surface of the vendors, in registration order. */
export const surfacesOfVendors = (vendors: readonly VendorModule[]): SurfaceDefinition[] => vendors.flatMap((vendor) => vendor.surfaces);
