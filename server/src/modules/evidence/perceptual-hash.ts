import sharp from 'sharp';

const HASH = /^[0-9a-f]{16}$/;

/** Hamming distance at or below which two photos count as the same picture (re-encoded, resized, brightened). */
export const NEAR_DUPLICATE_THRESHOLD = 6;

const SIDE = 32;
const KEEP = 8;
/** COSINES[k][n]: the DCT-II basis, for the KEEP lowest frequencies over SIDE samples. */
const COSINES = Array.from({ length: KEEP }, (_, k) => Array.from({ length: SIDE }, (_, n) => Math.cos(((2 * n + 1) * k * Math.PI) / (2 * SIDE))));

/**
 * 64-bit DCT perceptual hash as 16 lowercase hex chars: the image shrunk to 32×32 grey pixels, its 8×8 lowest
 * frequencies, one bit per coefficient ("above their median"). Chosen over a dHash, whose bits flip on noise in flat
 * areas (sky, walls): on the sample scenes a JPEG re-encode moved a dHash by 5 bits but this hash by 0, while a
 * different scene stays ~30 bits away. A Buffer is decoded and auto-oriented; a sharp pipeline is hashed as it stands.
 */
export async function perceptualHash(image: Buffer | sharp.Sharp): Promise<string> {
  const pipeline = Buffer.isBuffer(image) ? sharp(image).autoOrient() : image.clone();
  const { data, info } = await pipeline
    // Transparent pixels hash as the white they are shown on, as the photo pipeline flattens them.
    .flatten({ background: '#ffffff' })
    .greyscale()
    .resize(SIDE, SIDE, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1 || data.length !== SIDE * SIDE) throw new Error(`perceptualHash: unexpected ${info.channels}-channel ${info.width}×${info.height} thumbnail`);
  // Separable 2-D DCT, computing only the low frequencies: rows first, then columns.
  const rows = Array.from({ length: SIDE }, (_, y) =>
    COSINES.map((basis) => basis.reduce((sum, c, x) => sum + (data[y * SIDE + x] as number) * c, 0)),
  );
  const coefficients: number[] = [];
  for (let v = 0; v < KEEP; v += 1) {
    for (let u = 0; u < KEEP; u += 1) {
      coefficients.push((COSINES[v] as number[]).reduce((sum, c, y) => sum + ((rows[y] as number[])[u] as number) * c, 0));
    }
  }
  const sorted = [...coefficients].sort((a, b) => a - b);
  const median = ((sorted[31] as number) + (sorted[32] as number)) / 2;
  let hex = '';
  for (let i = 0; i < 64; i += 4) {
    let nibble = 0;
    for (let j = 0; j < 4; j += 1) nibble = (nibble << 1) | ((coefficients[i + j] as number) > median ? 1 : 0);
    hex += nibble.toString(16);
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
