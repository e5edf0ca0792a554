import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { PlatformError } from '../platform-error';
import type { CallbackCredentials } from '../port';

/**
 * The callback cipher DingTalk (dingtalk-api §5.2) and WeCom (wecom-api §6c) share: AES-256-CBC, IV = key[0..16),
 * PKCS#7 to **32**-byte blocks, plaintext `random16 ‖ uint32be(len) ‖ message ‖ receiverId`, and a SHA-1 over the
 * sorted `[token, timestamp, nonce, encrypt]`. Node's own padding is off: it checks 16-byte PKCS#7 and throws
 * `bad decrypt` for pad values above 16 (wecom-api §6c, vector A2 has pad 30).
 */
export class CallbackCipher {
  private readonly key: Buffer;
  private readonly iv: Buffer;

  constructor(private readonly credentials: CallbackCredentials) {
    this.key = callbackAesKey(credentials.aesKey);
    this.iv = this.key.subarray(0, 16);
  }

  /** Lower-case hex SHA-1 of the four strings sorted byte-wise and joined. */
  signature(timestamp: string, nonce: string, encrypt: string): string {
    const parts = [this.credentials.token, timestamp, nonce, encrypt].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return createHash('sha1').update(parts.join(''), 'utf8').digest('hex');
  }

  /** Constant-time check of a received signature; throws `BAD_SIGNATURE` when it does not match. */
  verify(signature: string, timestamp: string, nonce: string, encrypt: string): void {
    const expected = Buffer.from(this.signature(timestamp, nonce, encrypt), 'utf8');
    const received = Buffer.from(signature.toLowerCase(), 'utf8');
    if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
      throw new PlatformError('BAD_SIGNATURE', 'callback signature does not match');
    }
  }

  /** Decrypts and checks the receiver id; throws `BAD_SIGNATURE` for anything malformed or meant for someone else. */
  decrypt(encrypt: string): { message: string; random: Buffer } {
    const cipherText = Buffer.from(encrypt, 'base64');
    if (cipherText.length === 0 || cipherText.length % 32 !== 0) {
      throw new PlatformError('BAD_SIGNATURE', `callback cipher text is ${cipherText.length} bytes, not whole 32-byte blocks`);
    }
    const decipher = createDecipheriv('aes-256-cbc', this.key, this.iv).setAutoPadding(false);
    const padded = Buffer.concat([decipher.update(cipherText), decipher.final()]);
    const pad = padded[padded.length - 1] ?? 0;
    if (pad < 1 || pad > 32 || !padded.subarray(padded.length - pad).every((byte) => byte === pad)) {
      throw new PlatformError('BAD_SIGNATURE', 'callback plaintext has invalid padding');
    }
    const plain = padded.subarray(0, padded.length - pad);
    if (plain.length < 20) throw new PlatformError('BAD_SIGNATURE', 'callback plaintext is too short');
    const length = plain.readUInt32BE(16);
    if (20 + length > plain.length) throw new PlatformError('BAD_SIGNATURE', 'callback message length is out of range');
    const receiverId = plain.subarray(20 + length).toString('utf8');
    if (receiverId !== this.credentials.receiverId) {
      throw new PlatformError('BAD_SIGNATURE', `callback is for "${receiverId}", not "${this.credentials.receiverId}"`);
    }
    return { message: plain.subarray(20, 20 + length).toString('utf8'), random: plain.subarray(0, 16) };
  }

  /** Encrypts `message` for the receiver; `random` (16 bytes) is fresh unless given, e.g. to replay a vector. */
  encrypt(message: string, random: Buffer = randomAscii(16)): string {
    if (random.length !== 16) throw new Error('the random prefix must be 16 bytes');
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length, 0);
    const plain = Buffer.concat([random, length, body, Buffer.from(this.credentials.receiverId, 'utf8')]);
    const pad = 32 - (plain.length % 32);
    const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.iv).setAutoPadding(false);
    return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
  }
}

/** `base64(EncodingAESKey + "=")`; only a 43-character alphanumeric key gives the 32 bytes AES-256 needs. */
export function callbackAesKey(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) {
    throw new PlatformError(
      'INVALID_CREDENTIALS',
      `EncodingAESKey must be 43 letters or digits, got ${encodingAesKey.length} characters`,
    );
  }
  return Buffer.from(`${encodingAesKey}=`, 'base64');
}

/** Timestamps older or newer than this are replays or wrong clocks. */
export const callbackTimestampWindowMs = 5 * 60_000;

/**
 * Throws `BAD_SIGNATURE` unless `timestamp` (seconds or milliseconds, as the vendor sends it) is within the window
 * of `now`.
 */
export function assertFreshTimestamp(timestamp: string, now: number): void {
  if (!/^\d{1,16}$/.test(timestamp)) throw new PlatformError('BAD_SIGNATURE', `callback timestamp "${timestamp}" is not a number`);
  const value = Number(timestamp);
  const ms = value < 1e11 ? value * 1000 : value;
  if (Math.abs(now - ms) > callbackTimestampWindowMs) {
    throw new PlatformError('BAD_SIGNATURE', `callback timestamp ${timestamp} is outside ±5 minutes of the server clock`);
  }
}

/** A random nonce of letters and digits, as the vendors use. */
export function randomAscii(length: number): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  return Buffer.from(Array.from(bytes, (byte) => alphabet.charCodeAt(byte % alphabet.length)));
}
