import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Where photo files live: a local folder by default, S3-compatible storage when API instances scale out (DESIGN §10). */
export interface PhotoStore {
  /** Stores the bytes under the key, replacing what was there; resolves once they are durable. */
  put(key: string, bytes: Buffer): Promise<void>;
  /** The bytes stored under the key, or undefined when there are none. */
  get(key: string): Promise<Buffer | undefined>;
}

/**
 * Slash-separated segments of letters, digits, `.`, `_`, `-`, none starting with a dot: this rules out `..`, `.`,
 * hidden files, absolute paths, backslashes and empty segments in one check, for every store implementation.
 */
const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;
/** visit_photos keeps keys in varchar(255). */
const MAX_KEY_LENGTH = 255;

/** Throws a RangeError unless the key is a safe relative path (see KEY); stores call it before touching anything. */
export function assertPhotoKey(key: string): void {
  if (key.length > MAX_KEY_LENGTH || !KEY.test(key)) throw new RangeError(`照片存储键不合法："${key}"（只能是相对路径，不能含 ".."、"." 开头的段或反斜杠）`);
}

/** `<tenantId>/<yyyy>/<mm>/<sha256>.jpg`, the month in UTC: the folders only spread files out, they carry no meaning. */
export function photoKey(parts: { tenantId: string; at: Date; sha256: string }): string {
  const yyyy = String(parts.at.getUTCFullYear()).padStart(4, '0');
  const mm = String(parts.at.getUTCMonth() + 1).padStart(2, '0');
  const key = `${parts.tenantId}/${yyyy}/${mm}/${parts.sha256}.jpg`;
  assertPhotoKey(key);
  return key;
}

/** A PhotoStore on the local file system under `rootDir` (by default `DATA_DIR/photos`). */
export class LocalPhotoStore implements PhotoStore {
  constructor(readonly rootDir: string) {}

  async put(key: string, bytes: Buffer): Promise<void> {
    const file = this.pathOf(key);
    // Readable by the service user alone (DESIGN §15), folders and files alike.
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // Written beside the target then renamed: a reader (or a crash) never sees half a photo. The dot prefix keeps the
    // temporary name outside the key space, so it can never be mistaken for a stored photo.
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private pathOf(key: string): string {
    assertPhotoKey(key);
    return path.join(this.rootDir, ...key.split('/'));
  }
}
