import type { DownloadRequest, DownloadResult } from '@/platform/platform';

/** What loading an image behind the JWT needs: the platform's download, the current token and the API origin. */
export interface AuthedImageDeps {
  download(request: DownloadRequest): Promise<DownloadResult>;
  /** The session's JWT (signing in first when there is none). */
  token(): Promise<string>;
  /** '' on H5 (same origin), else the API server, e.g. http://localhost:3000. */
  origin: string;
}

/** Why an image did not load, in the words shown where it should be. */
export class AuthedImageError extends Error {
  constructor(readonly status: number) {
    super(status === 404 ? '照片不存在，或你无权查看' : status === 401 ? '登录已过期，请重新进入页面' : `照片加载失败（${status || '网络错误'}）`);
  }
}

/** How many loaded images are remembered per page session: a list scrolled back shows them without downloading again. */
const CACHE_SIZE = 200;

/**
 * Loads API images that need the `Authorization` header (photos at `/api/v1/photos/:id`): an `<Image src>` cannot
 * send it, so the platform downloads the bytes (`downloadFile` with the header on dd/qywx, fetch → object URL on H5)
 * and the image shows the local path. Each path is downloaded once; a failure is not remembered, so a retry downloads.
 */
export function createAuthedImageLoader(deps: AuthedImageDeps) {
  const cache = new Map<string, Promise<string>>();
  return function load(path: string): Promise<string> {
    const hit = cache.get(path);
    if (hit) return hit;
    const pending = (async () => {
      const url = /^https?:\/\//.test(path) ? path : `${deps.origin}${path}`;
      let res: DownloadResult;
      try {
        res = await deps.download({ url, headers: { authorization: `Bearer ${await deps.token()}` } });
      } catch {
        throw new AuthedImageError(0);
      }
      if (res.status < 200 || res.status >= 300 || !res.path) throw new AuthedImageError(res.status);
      return res.path;
    })();
    cache.set(path, pending);
    pending.catch(() => cache.delete(path));
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    return pending;
  };
}
