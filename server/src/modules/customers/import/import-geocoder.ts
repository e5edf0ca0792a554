import type { AppDeps } from '../../../context';
import type { Geocoder } from '../../../geo/geocoder';
import { AmapGeocoder } from '../../../geo/amap-geocoder';
import { SandboxGeocoder } from '../../../geo/sandbox-geocoder';
import { findTenantById } from '../../tenants/tenants.repository';

/**
 * The geocoder a tenant's import uses: the sandbox one for demo tenants and while the platform sandbox is on, AMap with
 * the tenant's own sealed key otherwise, and none when no key is configured (rows without coordinates are then
 * reported, not guessed).
 */
export async function geocoderForTenant(deps: Pick<AppDeps, 'db' | 'config' | 'secrets'>, tenantId: string): Promise<Geocoder | null> {
  const tenant = await findTenantById(deps.db, tenantId);
  if (!tenant) return null;
  if (tenant.kind === 'demo' || deps.config.sandbox === 'on') return new SandboxGeocoder();
  const configured = tenant.settings.geocoder;
  return configured ? new AmapGeocoder(deps.secrets.open(configured.sealedKey)) : null;
}
