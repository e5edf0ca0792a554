import type { DownloadRequest, DownloadResult } from '@/platform/platform';

export interface PhotoLoaderDeps {
  /** '' for same-origin (H5), else the API origin of the mini-program build. */
  origin: string;
  /** The current JWT (signing in when needed). */
  token: () => Promise<string>;
  /** A fresh JWT after the server refused the current one (expired): a silent re-login. */
  refresh: () => Promise<string>;
  /** The platform's download with headers (`platform.download`). */
  download: (request: DownloadRequest) => Promise<DownloadResult>;
}

/** Loads the watermarked photos (`/api/v1/photos/:id`, behind the JWT) into paths an `<Image>` can show. */
export interface PhotoLoader {
  /** Resolves with a local path / object URL; rejects with a Chinese message. Each URL is fetched once. */
  load(url: string): Promise<string>;
}

/**
 * Photos need the `Authorization` header, which an `<img src>` cannot send: the platform downloads them with it (an
 * object URL on H5, a temp file in the mini-programs). An expired token is renewed once; a failure is not cached, so
 * the next render tries again.
 */
export function createPhotoLoader(deps: PhotoLoaderDeps): PhotoLoader {
  const cache = new Map<string, Promise<string>>();
  const fetchOnce = async (url: string): Promise<string> => {
    const full = `${deps.origin}${url}`;
    let res = await deps.download({ url: full, headers: { authorization: `Bearer ${await deps.token()}` } });
    if (res.status === 401) res = await deps.download({ url: full, headers: { authorization: `Bearer ${await deps.refresh()}` } });
    if (res.status >= 200 && res.status < 300 && res.path) return res.path;
    if (res.status === 404) throw new Error('照片不存在或你无权查看');
    throw new Error('照片加载失败，点此重试');
  };
  return {
    load(url) {
      let p = cache.get(url);
      if (!p) {
        p = fetchOnce(url).catch((err: unknown) => {
          cache.delete(url);
          throw err instanceof Error ? err : new Error('照片加载失败，点此重试');
        });
        cache.set(url, p);
      }
      return p;
    },
  };
}
