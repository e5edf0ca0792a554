/** The one error every adapter throws; vendor errcodes stop at the plugin boundary and become these codes. */
export type PlatformErrorCode =
  | 'INVALID_CODE'
  | 'TOKEN_EXPIRED'
  | 'INVALID_CREDENTIALS'
  | 'RATE_LIMITED'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'INVALID_ARGUMENT'
  | 'UNAVAILABLE'
  | 'BAD_RESPONSE'
  /** A callback that is not provably from the platform: signature, receiver id, timestamp window or cipher text. */
  | 'BAD_SIGNATURE'
  | 'UNKNOWN';

export class PlatformError extends Error {
  override readonly name = 'PlatformError';

  constructor(
    readonly code: PlatformErrorCode,
    message: string,
    /** The vendor's own code (errcode or v1.0 `code`), kept for logs only. */
    readonly vendorCode?: string | number,
    /** Set when the platform said how long to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
