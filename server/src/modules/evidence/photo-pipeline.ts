import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { perceptualHash } from './perceptual-hash';
import { photoTooLarge, photoTooManyPixels, photoUndecodable, photoUnsupportedType, PhotoError } from './photo.errors';
import { burnWatermark, type RawImage, type WatermarkText } from './watermark';

export type { WatermarkText } from './watermark';

/** An accepted upload format, as sharp names it. */
export type PhotoFormat = 'jpeg' | 'png' | 'webp';

/** One stored rendition: the encoded file and what the visit_photos row records about it. */
export interface EncodedPhoto {
  /** The encoded file, ready for PhotoStore.put; its length is the visit_photos `bytes` column. */
  bytes: Buffer;
  /** SHA-256 of `bytes`, lowercase hex. */
  sha256: string;
  format: 'jpeg';
  width: number;
  height: number;
}

/** What the pipeline made of one upload. */
export interface ProcessedPhoto {
  /** SHA-256 of the uploaded bytes as received: the exact-reuse check compares these. */
  sha256Input: string;
  /** The format the upload really was (sniffed from its bytes, not its name). */
  inputFormat: PhotoFormat;
  /** The upload auto-oriented, capped in size and re-encoded as JPEG with every piece of metadata (EXIF, GPS, ICC) gone. */
  original: EncodedPhoto;
  /** `original` with the watermark band burned in. */
  watermarked: EncodedPhoto;
  /** 64-bit perceptual hash (16 hex chars) of the oriented, capped image before the watermark. */
  phash: string;
}

export interface ProcessPhotoOptions {
  /** Uploads larger than this are refused (413) before anything decodes them. */
  maxBytes: number;
  watermark: WatermarkText;
  /** Longest side of what is stored (default 2048); smaller photos are never enlarged. */
  maxSide?: number;
  /** Largest pixel count we agree to decode (default PHOTO_MAX_INPUT_PIXELS). */
  maxInputPixels?: number;
}

export const PHOTO_MAX_SIDE = 2048;
/**
 * 52 million: a full-resolution shot of any 48–50 MP phone sensor passes (8192×6144 is 50.3 MP), an 8000×8000 image
 * (64 MP) does not. Decoding costs CPU and memory in proportion to the pixels, not the bytes: a flat 8000×8000 PNG is
 * 200 KB on the wire and about half a second of a core and a few hundred MB of pixels once decoded (issue 16).
 */
export const PHOTO_MAX_INPUT_PIXELS = 52_000_000;
const JPEG_QUALITY = 85;

const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const startsWith = (bytes: Buffer, signature: number[], offset = 0) => signature.every((b, i) => bytes[offset + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * The format the magic bytes announce, or a name for a common refused one. Checked before sharp sees the bytes so
 * that only the JPEG, PNG and WebP decoders ever run on an upload (libvips would also open SVG, PDF, TIFF, HEIF…).
 */
export function sniffPhotoFormat(bytes: Buffer): { accepted: PhotoFormat } | { refused: string | undefined } {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { accepted: 'jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { accepted: 'png' };
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return { accepted: 'webp' };
  if (startsWith(bytes, ascii('%PDF'))) return { refused: 'PDF' };
  if (startsWith(bytes, ascii('GIF8'))) return { refused: 'GIF' };
  if (startsWith(bytes, ascii('ftyp'), 4)) return { refused: 'HEIC/HEIF 或视频' };
  if (startsWith(bytes, ascii('BM'))) return { refused: 'BMP' };
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return { refused: 'TIFF' };
  return { refused: undefined };
}

const FORMAT_NAMES: Record<PhotoFormat, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP' };

/**
 * Turns an upload into what visits store (DESIGN §5.2): size limit on the raw bytes, real type sniffed (JPEG, PNG,
 * WebP), EXIF orientation applied and then all metadata dropped, longest side capped, a watermarked copy, and the
 * hashes. Throws PhotoError (413, 415, 422) for a bad upload; throws a plain Error when the CJK font is missing.
 */
export async function processPhoto(input: Buffer, options: ProcessPhotoOptions): Promise<ProcessedPhoto> {
  if (input.length > options.maxBytes) throw photoTooLarge(input.length, options.maxBytes);
  const sniffed = sniffPhotoFormat(input);
  if (!('accepted' in sniffed)) throw photoUnsupportedType(sniffed.refused);
  const maxSide = options.maxSide ?? PHOTO_MAX_SIDE;
  const maxInputPixels = options.maxInputPixels ?? PHOTO_MAX_INPUT_PIXELS;

  // Header only: confirms the decoder agrees with the magic bytes and reads the size before committing memory to pixels.
  let header: sharp.Metadata;
  try {
    header = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw photoUnsupportedType(`损坏的 ${FORMAT_NAMES[sniffed.accepted]}`);
  }
  if (header.format !== sniffed.accepted) throw photoUnsupportedType(header.format);
  if (!header.width || !header.height) throw photoUndecodable();
  if (header.width * header.height > maxInputPixels) throw photoTooManyPixels(header.width, header.height, maxInputPixels);

  const pixels = await decodeOriented(input, maxSide, maxInputPixels);
  const raw = () => sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } });
  const [originalJpeg, watermarkedJpeg, phash] = await Promise.all([
    raw().jpeg({ quality: JPEG_QUALITY }).toBuffer(),
    burnWatermark(pixels, options.watermark).then((p) => p.jpeg({ quality: JPEG_QUALITY }).toBuffer()),
    perceptualHash(raw()),
  ]);
  return {
    sha256Input: sha256Hex(input),
    inputFormat: sniffed.accepted,
    original: encoded(originalJpeg, pixels),
    watermarked: encoded(watermarkedJpeg, pixels),
    phash,
  };
}

const encoded = (bytes: Buffer, size: { width: number; height: number }): EncodedPhoto => ({
  bytes,
  sha256: sha256Hex(bytes),
  format: 'jpeg',
  width: size.width,
  height: size.height,
});

/**
 * Decodes to raw sRGB pixels, turned upright per EXIF and capped to `maxSide`. Going through raw pixels is what
 * guarantees nothing of the upload's metadata (EXIF, GPS, XMP, ICC) can reach the stored files.
 */
async function decodeOriented(input: Buffer, maxSide: number, maxInputPixels: number): Promise<RawImage> {
  try {
    // failOn 'error': a truncated or corrupt file is refused, while the harmless warnings some phone encoders trigger are not.
    const { data, info } = await sharp(input, { failOn: 'error', limitInputPixels: maxInputPixels })
      .autoOrient()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after flatten, got ${info.channels}`);
    return { data, width: info.width, height: info.height, channels: 3 };
  } catch (err) {
    if (err instanceof PhotoError) throw err;
    throw photoUndecodable();
  }
}
