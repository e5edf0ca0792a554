import busboy from 'busboy';
import type { Context } from 'koa';
import { AppError } from '../errors';

/** The Chinese words an upload's refusals use, so a photo and a spreadsheet each say what was expected. */
export interface UploadTexts {
  /** What the file is (照片, 表格). */
  what: string;
  /** The code of the 413. */
  tooLargeCode: string;
  /** What to do about a file over the limit. */
  tooLargeHint: string;
  /** The code of the 400 for a form without the file. */
  missingCode: string;
}

const photoTexts: UploadTexts = { what: '照片', tooLargeCode: 'photo_too_large', tooLargeHint: '请压缩后重新上传', missingCode: 'photo_missing' };

const malformed = (t: UploadTexts) => new AppError(400, 'invalid_request', `上传的表单格式不正确（内容不完整）：请重新选择${t.what}上传。`);

/** A multipart upload: the one file, its name as the client sent it, and the plain fields of the form. */
export interface Upload {
  file: Buffer;
  filename: string;
  fields: Record<string, string>;
}

/**
 * Reads the one file of a multipart upload in field `field`, refusing more than `maxBytes` (413) as soon as the limit
 * is crossed instead of buffering the rest. Anything that is not a multipart form with that file is a 400/415.
 *
 * Never throws outside the returned promise: every emitter this creates (the request, the parser, each file stream)
 * has an 'error' listener for as long as it lives, so a form cut short or a client hanging up mid-upload rejects the
 * promise instead of raising an unhandled 'error' event that would stop the process (issue 16).
 */
export async function readSingleFile(ctx: Context, field: string, maxBytes: number): Promise<Buffer> {
  return (await readUpload(ctx, field, maxBytes, photoTexts)).file;
}

/** `readSingleFile` with the form's plain fields and the file name, and refusals worded by `t`. */
export function readUpload(ctx: Context, field: string, maxBytes: number, t: UploadTexts): Promise<Upload> {
  if (!ctx.is('multipart/form-data')) {
    return Promise.reject(new AppError(415, 'unsupported_media_type', `请用 multipart/form-data 上传，${t.what}放在字段「${field}」里。`));
  }
  const req = ctx.req;
  return new Promise<Upload>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes, fields: 10, parts: 12 } });
    } catch {
      reject(new AppError(400, 'invalid_request', `上传的表单格式不正确：请用 multipart/form-data 上传${t.what}。`));
      return;
    }
    let settled = false;
    let file: Buffer | undefined;
    let filename = '';
    const fields: Record<string, string> = {};
    /** Settles once; on a refusal, stops parsing and discards the rest of the body so the answer goes out at once. */
    const settle = (failure: AppError | undefined) => {
      if (settled) return;
      settled = true;
      if (failure === undefined && file !== undefined && file.length > 0) {
        resolve({ file, filename, fields });
        return;
      }
      // The parser is left to the garbage collector rather than destroyed: this may run inside one of its own events,
      // and busboy fails on its next line when destroyed there. The rest of the body is pulled off the wire and dropped
      // (not buffered), so the answer goes out now and the connection can then be reused.
      req.unpipe(parser);
      req.resume();
      reject(failure ?? new AppError(400, t.missingCode, `没有收到${t.what}：请把${t.what}放在表单字段「${field}」里上传。`));
    };

    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      // A file stream is destroyed with an error when the form ends inside it: every one gets a listener.
      stream.on('error', () => settle(malformed(t)));
      if (name !== field || file !== undefined) {
        stream.resume();
        return;
      }
      filename = info.filename ?? '';
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        settle(new AppError(413, t.tooLargeCode, `${t.what}超过 ${Math.round(maxBytes / 1024 / 1024)} MB 的上限，${t.tooLargeHint}。`, { maxBytes }));
      });
      stream.on('end', () => {
        if (!stream.truncated) file = Buffer.concat(chunks);
      });
    });
    parser.on('error', () => settle(malformed(t)));
    parser.on('close', () => settle(undefined));
    // A client that hangs up mid-upload: nobody is left to answer, but the promise must still settle.
    req.on('error', () => settle(malformed(t)));
    req.on('close', () => {
      if (!req.complete) settle(malformed(t));
    });
    req.pipe(parser);
  });
}
