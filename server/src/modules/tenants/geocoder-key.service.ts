import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/create-db';
import { AppError } from '../../errors';
import { listTenantSettings, replaceTenantSettings } from './tenants.repository';

/**
 * Stores a tenant's AMap web-service key for customer imports, sealed with the SecretBox (`geocoder` in the tenant's
 * settings; other keys of the settings JSON are kept as stored).
 */
export async function setGeocoderKey(db: Db, secrets: SecretBox, tenantId: string, amapKey: string): Promise<void> {
  const key = amapKey.trim();
  if (!/^[0-9A-Za-z]{16,64}$/.test(key)) {
    throw new AppError(400, 'invalid_request', '高德 Key 格式不对：请在高德开放平台「我的应用」中复制 Web 服务类型的 Key（字母和数字）。');
  }
  const row = (await listTenantSettings(db)).find((t) => t.id === tenantId);
  if (!row) throw new AppError(404, 'not_found', `企业「${tenantId}」不存在：用 npm run tenant -- list 查看已登记的企业。`);
  const settings = { ...(JSON.parse(row.settings) as Record<string, unknown>), geocoder: { provider: 'amap', sealedKey: secrets.seal(key) } };
  await replaceTenantSettings(db, tenantId, row.settings, JSON.stringify(settings));
}
