/** Turns a vendor's `{ success, fail }` call into a promise; `fail` payloads become Errors with the vendor's text. */
export function vendorCall<T>(fn: ((options: Record<string, unknown>) => void) | undefined, options: Record<string, unknown> = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (typeof fn !== 'function') {
      reject(new Error('当前客户端版本不支持此功能，请升级后重试'));
      return;
    }
    fn({
      ...options,
      success: (res: T) => resolve(res),
      fail: (err: { errMsg?: string; errorMessage?: string; error?: number | string } | undefined) =>
        reject(new VendorError(err?.errMsg ?? err?.errorMessage ?? String(err?.error ?? '调用失败'), err?.error)),
    });
  });
}

/** A failed vendor call; `code` is the vendor's own (DingTalk: `error` number; WeCom: in `errMsg`). */
export class VendorError extends Error {
  constructor(
    message: string,
    readonly code?: number | string,
  ) {
    super(message);
    this.name = 'VendorError';
  }
}

/** Words for a location failure that tell a rep what to do. */
export function locationFailure(err: unknown): Error {
  const text = err instanceof Error ? err.message : String(err);
  if (/auth|deny|denied|permission|权限|拒绝/i.test(text)) return new Error('无法获取位置：请在手机设置中允许本应用使用定位，然后重试');
  return new Error(`无法获取位置：${text || '定位失败'}。请到室外或窗边重试`);
}
