import { existsSync } from 'node:fs';
import path from 'node:path';
import { send } from '@koa/send';
import type { Middleware } from 'koa';

/** Where `npm run build:h5` puts the H5 app (DESIGN §2: the one process also serves it). */
export const DEFAULT_H5_DIR = path.resolve(__dirname, '../../../miniapp/dist/h5');

/** Paths that belong to the server, never to the app: their 404s stay JSON. */
const SERVER_PATHS = /^\/(api|sandbox|callbacks|healthz)(\/|$)/;
/** Files webpack names by content hash (`app.1a2b3c4d.js`): a browser may keep them for a year. */
const HASHED_ASSET = /\.[0-9a-f]{8,}\.[a-z0-9]+$/i;

/**
 * Serves the built H5 app: its files, and its entry page for any other GET that is not an API path (the app routes
 * in the browser, e.g. /pages/mine/index). Passes through when the build is missing, so the landing page answers `/`.
 */
export function h5Static(dir: string): Middleware {
  const entry = path.join(dir, 'index.html');
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || SERVER_PATHS.test(ctx.path) || !existsSync(entry)) return next();
    if (ctx.path !== '/' && ctx.path !== '/index.html') {
      const hashed = HASHED_ASSET.test(ctx.path);
      try {
        await send(ctx, ctx.path, { root: dir, index: false, immutable: hashed, maxage: hashed ? 365 * 86_400_000 : 0 });
        return;
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
        // A missing file with an extension is a real 404; a path without one is a page of the app.
        if (path.extname(ctx.path)) return next();
      }
    }
    // The entry names the current hashed bundles, so it must be revalidated on every load.
    ctx.set('Cache-Control', 'no-cache');
    await send(ctx, 'index.html', { root: dir, index: false });
  };
}
