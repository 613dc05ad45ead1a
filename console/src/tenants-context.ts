import { createContext, useContext } from 'react';
import type { Tenant } from './types';

/** The tenants the header's picker lists; reloaded after a tenant is created. */
export interface TenantDirectory {
  tenants: Tenant[];
  reload: () => void;
}

export const TenantsContext = createContext<TenantDirectory>({ tenants: [], reload: () => undefined });
export const useTenants = () => useContext(TenantsContext);
