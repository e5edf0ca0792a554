import type { JsapiSignature } from '@gonghai/plugin-core';
import type { Actor, AppDeps } from '../../context';
import { AppError, notFound } from '../../errors';
import { findTenantById } from '../tenants/tenants.repository';

/**
 * The origins whose pages may be signed for the JS-SDK: this server's own public origin (where the H5 app is served)
 * and the tenant's `h5Origins` setting. Anything else would let a page elsewhere borrow the tenant's JS-SDK rights.
 */
export function signableOrigins(publicBaseUrl: string, h5Origins: readonly string[] = []): Set<string> {
  const origins = new Set<string>();
  for (const url of [publicBaseUrl, ...h5Origins]) {
    if (URL.canParse(url)) origins.add(new URL(url).origin);
  }
  return origins;
}

/** `GET /api/v1/platform/jsapi-signature`: signs a page of one of the tenant's H5 origins for `dd.config` / `ww.register`. */
export async function signJsapiPage(deps: AppDeps, actor: Actor, url: string): Promise<JsapiSignature> {
  const tenant = await findTenantById(deps.db, actor.tenantId);
  if (tenant === undefined) throw notFound('企业');
  const allowed = signableOrigins(deps.config.publicBaseUrl, tenant.settings.h5Origins);
  const origin = new URL(url).origin;
  if (!allowed.has(origin)) {
    throw new AppError(400, 'origin_not_allowed', `不能为 ${origin} 的页面签名：只签本企业登记的 H5 地址（${[...allowed].join('、')}）。如需新增，请管理员在企业设置 h5Origins 中添加。`);
  }
  const adapter = await deps.platforms.adapterFor(actor.tenantId);
  // The signature covers the page address without its fragment (both vendors' rule).
  return adapter.jsapi.signature(url.split('#')[0]!);
}
