/** The one application error: an HTTP status, a stable machine code (DESIGN §9) and a Chinese message for people. */
export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra fields for the client, merged into the `error` object (e.g. `until`). */
    readonly details: Record<string, unknown> = {},
    /** Response headers that go with the answer (e.g. `Retry-After` on a 503). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what = '资源') => new AppError(404, 'not_found', `${what}不存在，或你无权查看。`);
