import busboy from 'busboy';
import type { Context } from 'koa';
import { AppError } from '../errors';

/**
 * Reads the one file of a multipart upload in field `field`, refusing more than `maxBytes` (413) as soon as the limit
 * is crossed instead of buffering the rest. Anything that is not a multipart form with that file is a 400/415.
 */
export function readSingleFile(ctx: Context, field: string, maxBytes: number): Promise<Buffer> {
  if (!ctx.is('multipart/form-data')) {
    return Promise.reject(new AppError(415, 'unsupported_media_type', `请用 multipart/form-data 上传，照片放在字段「${field}」里。`));
  }
  return new Promise<Buffer>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: ctx.req.headers, limits: { files: 1, fileSize: maxBytes, fields: 10, parts: 12 } });
    } catch {
      reject(new AppError(400, 'invalid_request', '上传的表单格式不正确。'));
      return;
    }
    let file: Buffer | undefined;
    let failure: AppError | undefined;
    parser.on('file', (name, stream) => {
      if (name !== field || file !== undefined) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        failure = new AppError(413, 'photo_too_large', `照片超过 ${Math.round(maxBytes / 1024 / 1024)} MB 的上限，请压缩后重新上传。`, { maxBytes });
      });
      stream.on('end', () => {
        file = Buffer.concat(chunks);
      });
    });
    parser.on('error', () => reject(new AppError(400, 'invalid_request', '上传的表单格式不正确（内容不完整）。')));
    parser.on('close', () => {
      if (failure !== undefined) reject(failure);
      else if (file === undefined || file.length === 0) reject(new AppError(400, 'photo_missing', `没有收到照片：请把照片放在表单字段「${field}」里上传。`));
      else resolve(file);
    });
    ctx.req.pipe(parser);
  });
}
