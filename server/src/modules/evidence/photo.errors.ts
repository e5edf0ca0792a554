import { AppError } from '../../errors';

export type PhotoErrorCode = 'photo_too_large' | 'photo_unsupported_type' | 'photo_undecodable';

/** The formats an upload may be in, as sharp names them; everything else is refused before it is decoded. */
export const ACCEPTED_PHOTO_FORMATS = ['jpeg', 'png', 'webp'] as const;

const STATUS: Record<PhotoErrorCode, number> = {
  photo_too_large: 413,
  photo_unsupported_type: 415,
  photo_undecodable: 422,
};

/** The photo pipeline's one error: an AppError (so the HTTP error middleware shapes it) whose status follows its code. */
export class PhotoError extends AppError {
  declare readonly code: PhotoErrorCode;

  constructor(code: PhotoErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(STATUS[code], code, message, details);
  }
}

/** `3.2 MB`, or `512 KB` below one megabyte, so a small limit does not read as `0.0 MB`. */
const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);

/** 413: the upload is bigger than the limit (checked on the raw bytes, before anything decodes them). */
export const photoTooLarge = (bytes: number, maxBytes: number) =>
  new PhotoError(
    'photo_too_large',
    `照片太大（${size(bytes)}），上限是 ${size(maxBytes)}。请用相机的默认画质重新拍摄后再上传。`,
    { maxBytes },
  );

/** 413: the header announces more pixels than we are willing to decode (a decompression bomb or a 100+ MP shot). */
export const photoTooManyPixels = (width: number, height: number, maxPixels: number) =>
  new PhotoError(
    'photo_too_large',
    `照片像素太多（${width}×${height}），上限是 ${Math.floor(maxPixels / 10_000)} 万像素。请用相机的默认分辨率重新拍摄后再上传。`,
    { maxPixels },
  );

/** 415: the bytes are not a JPEG, PNG or WebP, whatever the file name says. */
export const photoUnsupportedType = (detected: string | undefined) =>
  new PhotoError(
    'photo_unsupported_type',
    `只接受 JPEG、PNG 或 WebP 格式的照片，这个文件${detected ? `是 ${detected}` : '无法识别为图片'}。请用相机拍照后直接上传。`,
    { accepted: [...ACCEPTED_PHOTO_FORMATS], ...(detected ? { detected } : {}) },
  );

/** 422: the header is a photo's but the pixels cannot be decoded (a truncated or damaged file). */
export const photoUndecodable = () =>
  new PhotoError('photo_undecodable', '照片文件已损坏或不完整，无法读取。请重新拍摄后再上传。');
