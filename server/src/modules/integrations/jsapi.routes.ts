import Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps, AppState } from '../../context';
import { parse } from '../../http/validate';
import { signJsapiPage } from './jsapi.service';

const jsapiQuery = z.object({
  url: z
    .string()
    .max(2048, '页面地址过长')
    .refine((value) => /^https?:\/\//.test(value) && URL.canParse(value), '需要完整的页面地址（http:// 或 https:// 开头）'),
});

/** `GET /api/v1/platform/jsapi-signature?url=`: what an H5 page of the tenant inside DingTalk / WeCom passes to `dd.config` / `ww.register`. */
export function jsapiRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/api/v1/platform/jsapi-signature', async (ctx) => {
    const { url } = parse(jsapiQuery, ctx.query);
    ctx.body = await signJsapiPage(deps, ctx.state.actor!, url);
  });
  return router;
}
