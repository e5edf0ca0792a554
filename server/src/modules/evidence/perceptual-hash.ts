import sharp from 'sharp';

const HASH = /^[0-9a-f]{16}$/;

/** Hamming distance at or below which two photos count as the same picture (re-encoded, resized, brightened). */
export const NEAR_DUPLICATE_THRESHOLD = 6;

/**
 * 64-bit difference hash (dHash) as 16 lowercase hex chars: the image shrunk to 9×8 grey pixels, one bit per
 * horizontally adjacent pair ("is the left one brighter"). It survives re-encoding, rescaling and global brightness
 * changes because it only looks at the direction of gradients, not their values.
 * A Buffer is decoded and auto-oriented; a sharp pipeline is hashed as it stands.
 */
export async function perceptualHash(image: Buffer | sharp.Sharp): Promise<string> {
  const pipeline = Buffer.isBuffer(image) ? sharp(image).autoOrient() : image.clone();
  const { data, info } = await pipeline
    // Transparent pixels hash as the white they are shown on, as the photo pipeline flattens them.
    .flatten({ background: '#ffffff' })
    .greyscale()
    .resize(9, 8, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1 || data.length !== 72) throw new Error(`perceptualHash: unexpected ${info.channels}-channel ${info.width}×${info.height} thumbnail`);
  let hex = '';
  for (let y = 0; y < 8; y += 1) {
    let byte = 0;
    for (let x = 0; x < 8; x += 1) {
      const left = data[y * 9 + x] as number;
      const right = data[y * 9 + x + 1] as number;
      byte = (byte << 1) | (left > right ? 1 : 0);
    }
    hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

const BITS_IN_NIBBLE = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

/** Number of differing bits between two 16-hex-char hashes (0–64); throws on anything that is not such a hash. */
export function hammingDistance(a: string, b: string): number {
  if (!HASH.test(a) || !HASH.test(b)) throw new RangeError(`hammingDistance: expected two 16-char lowercase hex hashes, got "${a}" and "${b}"`);
  let distance = 0;
  for (let i = 0; i < 16; i += 1) {
    distance += BITS_IN_NIBBLE[parseInt(a[i] as string, 16) ^ parseInt(b[i] as string, 16)] as number;
  }
  return distance;
}

/** True when the two perceptual hashes are at most `threshold` bits apart. */
export function isNearDuplicate(a: string, b: string, threshold = NEAR_DUPLICATE_THRESHOLD): boolean {
  return hammingDistance(a, b) <= threshold;
}

/**
 * The hash cut into four 16-bit bands (4 hex chars each) for an indexed candidate lookup. By pigeonhole, two hashes
 * within 3 bits share at least one band exactly; hashes 4–6 bits apart may share none, so a lookup by bands alone
 * finds every near-duplicate only up to 3 bits.
 */
export function phashBands(hash: string): [string, string, string, string] {
  if (!HASH.test(hash)) throw new RangeError(`phashBands: expected a 16-char lowercase hex hash, got "${hash}"`);
  return [hash.slice(0, 4), hash.slice(4, 8), hash.slice(8, 12), hash.slice(12, 16)];
}
