import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { hammingDistance, isNearDuplicate } from '../perceptual-hash';
import { processPhoto, type WatermarkText } from '../photo-pipeline';
import { samplePhoto } from '../photo-sample';
import { PhotoError } from '../photo.errors';

const WATERMARK: WatermarkText = {
  time: '2026-11-27 10:00（北京时间）',
  customer: '上海鼎盛五金贸易有限公司',
  place: '上海市人民路1号 · 31.230400, 121.473700',
  rep: '张伟',
  visitId: '10086',
};
const MB = 1024 * 1024;
const options = { maxBytes: 10 * MB, watermark: WATERMARK };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const ACCEPTED = ['jpeg', 'png', 'webp'];

/** Deterministic bytes that are no image format at all. */
const noise = (length: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 7919 + 13) % 251));

/** Raw RGB pixels of an encoded image, for pixel comparisons. */
async function pixels(bytes: Buffer) {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** Mean absolute difference per channel value between two equally sized decoded images, over rows [from, to). */
function meanAbsDiff(a: Buffer, b: Buffer, width: number, channels: number, fromRow: number, toRow: number): number {
  let sum = 0;
  for (let i = fromRow * width * channels; i < toRow * width * channels; i += 1) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / ((toRow - fromRow) * width * channels);
}

describe('processPhoto: accepted uploads', () => {
  it.each([
    ['jpeg', (s: sharp.Sharp) => s.jpeg({ quality: 90 })],
    ['png', (s: sharp.Sharp) => s.png()],
    ['webp', (s: sharp.Sharp) => s.webp({ quality: 90 })],
  ])('accepts a %s photo and stores a JPEG original and a JPEG watermarked copy of the same size', async (format, encode) => {
    const input = await encode(samplePhoto('street', 640, 480)).toBuffer();

    const photo = await processPhoto(input, options);

    expect(photo.inputFormat).toBe(format);
    expect(photo.sha256Input).toBe(sha256(input));
    expect(photo.phash).toMatch(/^[0-9a-f]{16}$/);
    for (const rendition of [photo.original, photo.watermarked]) {
      expect(rendition).toMatchObject({ format: 'jpeg', width: 640, height: 480, sha256: sha256(rendition.bytes) });
      const decoded = await sharp(rendition.bytes).metadata();
      expect([decoded.format, decoded.width, decoded.height]).toEqual(['jpeg', 640, 480]);
    }
    expect(photo.watermarked.sha256).not.toBe(photo.original.sha256);
  });

  it('accepts an upload of exactly maxBytes', async () => {
    const input = await samplePhoto('street', 320, 240).jpeg().toBuffer();

    const photo = await processPhoto(input, { ...options, maxBytes: input.length });

    expect(photo.sha256Input).toBe(sha256(input));
  });

  it('turns the photo upright per its EXIF orientation, then drops EXIF, GPS, ICC and XMP from both files', async () => {
    // Stored sideways (left half red, right half blue) with orientation 6: "rotate 90° clockwise to view", which puts red on top.
    const red = Buffer.alloc(200 * 300 * 3);
    for (let i = 0; i < red.length; i += 3) red.set([220, 30, 30], i);
    const sideways = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 30, g: 30, b: 220 } } })
      .composite([{ input: red, raw: { width: 200, height: 300, channels: 3 }, left: 0, top: 0 }])
      .withIccProfile('p3')
      .withExif({
        IFD0: { Make: 'GonghaiTestCam', Copyright: 'rep01' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '31/1 13/1 4944/100', GPSLongitudeRef: 'E', GPSLongitude: '121/1 28/1 2532/100' },
      })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const before = await sharp(sideways).metadata();
    expect(before.orientation).toBe(6);
    expect(before.icc).toBeInstanceOf(Buffer);
    expect(before.exif?.includes('GonghaiTestCam')).toBe(true);
    // 0x8825 is the GPSInfo tag, little-endian in the TIFF header libvips writes.
    expect(before.exif?.includes(Buffer.from([0x25, 0x88]))).toBe(true);

    const photo = await processPhoto(sideways, options);

    for (const rendition of [photo.original, photo.watermarked]) {
      const after = await sharp(rendition.bytes).metadata();
      expect([after.width, after.height]).toEqual([300, 400]);
      expect({ exif: after.exif, icc: after.icc, xmp: after.xmp, iptc: after.iptc, orientation: after.orientation }).toEqual({
        exif: undefined,
        icc: undefined,
        xmp: undefined,
        iptc: undefined,
        orientation: undefined,
      });
      expect(rendition.bytes.includes('GonghaiTestCam')).toBe(false);
    }
    const upright = await pixels(photo.original.bytes);
    const at = (x: number, y: number) => [...upright.data.subarray((y * 300 + x) * 3, (y * 300 + x) * 3 + 3)];
    const isRed = ([r, g, b]: number[]) => (r as number) > 180 && (g as number) < 80 && (b as number) < 80;
    const isBlue = ([r, g, b]: number[]) => (r as number) < 80 && (g as number) < 80 && (b as number) > 180;
    expect([isRed(at(150, 50)), isBlue(at(150, 350))]).toEqual([true, true]);
  });

  it('caps the longest side at 2048 px, keeping the aspect ratio, and never enlarges', async () => {
    const wide = await samplePhoto('street', 3000, 1000).jpeg().toBuffer();
    const small = await samplePhoto('street', 300, 200).png().toBuffer();

    const [capped, kept] = await Promise.all([processPhoto(wide, options), processPhoto(small, options)]);

    expect([capped.original.width, capped.original.height, capped.watermarked.width, capped.watermarked.height]).toEqual([2048, 683, 2048, 683]);
    expect([kept.original.width, kept.original.height]).toEqual([300, 200]);
  });

  it('shows transparent pixels as white, as a viewer would', async () => {
    const transparent = await sharp({ create: { width: 200, height: 200, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();

    const photo = await processPhoto(transparent, options);

    const { data, channels } = await pixels(photo.original.bytes);
    expect([channels, ...data.subarray(0, 3)]).toEqual([3, 255, 255, 255]);
  });

  it('accepts 16-bit PNGs and greyscale JPEGs as 8-bit sRGB JPEGs', async () => {
    const deep = await samplePhoto('street', 320, 240).toColourspace('rgb16').png().toBuffer();
    const grey = await samplePhoto('street', 320, 240).greyscale().jpeg().toBuffer();
    expect((await sharp(deep).metadata()).depth).toBe('ushort');

    const photos = await Promise.all([processPhoto(deep, options), processPhoto(grey, options)]);

    for (const photo of photos) {
      const meta = await sharp(photo.original.bytes).metadata();
      expect([meta.depth, meta.channels, meta.space, meta.width]).toEqual(['uchar', 3, 'srgb', 320]);
    }
  });
});

describe('processPhoto: refused uploads', () => {
  it('refuses a PDF renamed .jpg with 415, naming the accepted types', async () => {
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

    const refusal = processPhoto(pdf, options);

    await expect(refusal).rejects.toBeInstanceOf(PhotoError);
    await expect(refusal).rejects.toMatchObject({
      status: 415,
      code: 'photo_unsupported_type',
      message: '只接受 JPEG、PNG 或 WebP 格式的照片，这个文件是 PDF。请用相机拍照后直接上传。',
      details: { accepted: ACCEPTED, detected: 'PDF' },
    });
  });

  it('refuses a real GIF with 415', async () => {
    const gif = await samplePhoto('street', 64, 48).gif().toBuffer();

    await expect(processPhoto(gif, options)).rejects.toMatchObject({
      status: 415,
      code: 'photo_unsupported_type',
      message: '只接受 JPEG、PNG 或 WebP 格式的照片，这个文件是 GIF。请用相机拍照后直接上传。',
    });
  });

  it('refuses bytes that are no image at all with 415', async () => {
    await expect(processPhoto(noise(4096), options)).rejects.toMatchObject({
      status: 415,
      code: 'photo_unsupported_type',
      message: '只接受 JPEG、PNG 或 WebP 格式的照片，这个文件无法识别为图片。请用相机拍照后直接上传。',
      details: { accepted: ACCEPTED },
    });
  });

  it('refuses garbage behind a JPEG signature with 415', async () => {
    const fake = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), noise(2048)]);

    await expect(processPhoto(fake, options)).rejects.toMatchObject({ status: 415, code: 'photo_unsupported_type', details: { accepted: ACCEPTED, detected: '损坏的 JPEG' } });
  });

  it('refuses a truncated JPEG whose header is intact with 422', async () => {
    const whole = await samplePhoto('street', 640, 480).jpeg().toBuffer();

    await expect(processPhoto(whole.subarray(0, Math.floor(whole.length / 2)), options)).rejects.toMatchObject({
      status: 422,
      code: 'photo_undecodable',
      message: '照片文件已损坏或不完整，无法读取。请重新拍摄后再上传。',
    });
  });

  it('refuses an upload over maxBytes with 413 before looking at its content', async () => {
    // Garbage that would be a 415 if anything looked at it: the 413 proves the size check comes first.
    await expect(processPhoto(noise(3 * MB), { ...options, maxBytes: MB })).rejects.toMatchObject({
      status: 413,
      code: 'photo_too_large',
      message: '照片太大（3.0 MB），上限是 1.0 MB。请用相机的默认画质重新拍摄后再上传。',
    });
  });

  it('refuses a JPEG one byte over maxBytes with 413', async () => {
    const input = await samplePhoto('street', 320, 240).jpeg().toBuffer();

    await expect(processPhoto(input, { ...options, maxBytes: input.length - 1 })).rejects.toMatchObject({ status: 413, code: 'photo_too_large' });
  });

  it('refuses an 8000×8000 PNG (64 MP in about 200 KB) by default from its header, without decoding it', async () => {
    const input = await sharp({ create: { width: 8000, height: 8000, channels: 3, background: '#7a7a7a' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(input.length).toBeLessThan(300 * 1024);

    // CPU time, not wall time (other work may share the machine): decoding it took about half a second of a core.
    const before = process.cpuUsage();
    await expect(processPhoto(input, options)).rejects.toMatchObject({
      status: 413,
      code: 'photo_too_large',
      message: '照片像素太多（8000×8000），上限是 5200 万像素。请用相机的默认分辨率重新拍摄后再上传。',
    });
    const spent = process.cpuUsage(before);
    expect((spent.user + spent.system) / 1000).toBeLessThan(100);
  });

  it('takes a full-resolution 50 MP phone shot (8192×6144) under the default pixel limit', async () => {
    const input = await sharp({ create: { width: 8192, height: 6144, channels: 3, background: '#6d8a4f' } }).jpeg({ quality: 80 }).toBuffer();

    const photo = await processPhoto(input, options);
    expect(photo.original).toMatchObject({ width: 2048, height: 1536 });
  });

  it('refuses a photo announcing more pixels than maxInputPixels with 413 (decompression bombs)', async () => {
    const input = await samplePhoto('street', 640, 480).png().toBuffer();

    await expect(processPhoto(input, { ...options, maxInputPixels: 300_000 })).rejects.toMatchObject({
      status: 413,
      code: 'photo_too_large',
      message: '照片像素太多（640×480），上限是 30 万像素。请用相机的默认分辨率重新拍摄后再上传。',
    });
  });
});

describe('processPhoto: the watermark', () => {
  it('darkens a band at the bottom and writes white text into it, leaving the top of the photo as it was', async () => {
    // The storefront's lower half is a mid-grey wall with no near-white pixels, so any near-white in the band is text.
    const input = await samplePhoto('storefront', 1200, 900).png().toBuffer();

    const photo = await processPhoto(input, options);

    const original = await pixels(photo.original.bytes);
    const watermarked = await pixels(photo.watermarked.bytes);
    expect([watermarked.width, watermarked.height, watermarked.channels]).toEqual([1200, 900, 3]);
    const bandFrom = Math.round(900 * 0.85);
    expect(meanAbsDiff(original.data, watermarked.data, 1200, 3, bandFrom, 900)).toBeGreaterThan(40);
    expect(meanAbsDiff(original.data, watermarked.data, 1200, 3, 0, Math.round(900 * 0.6))).toBeLessThan(1);
    const nearWhite = (data: Buffer) => {
      let count = 0;
      for (let i = bandFrom * 1200 * 3; i < data.length; i += 3) if ((data[i] as number) > 235 && (data[i + 1] as number) > 235 && (data[i + 2] as number) > 235) count += 1;
      return count;
    };
    expect(nearWhite(original.data)).toBe(0);
    expect(nearWhite(watermarked.data)).toBeGreaterThan(1000);
  });

  it('hashes the picture, not the watermark: the same scene uploaded as PNG and as a lower-quality JPEG is a near-duplicate', async () => {
    const png = await samplePhoto('street', 800, 600).png().toBuffer();
    const jpeg = await samplePhoto('street', 800, 600).jpeg({ quality: 60 }).toBuffer();
    const other = await samplePhoto('storefront', 800, 600).png().toBuffer();

    const [a, b, c] = await Promise.all([processPhoto(png, options), processPhoto(jpeg, { ...options, watermark: { ...WATERMARK, visitId: '10087' } }), processPhoto(other, options)]);

    expect(a.sha256Input).not.toBe(b.sha256Input);
    expect(isNearDuplicate(a.phash, b.phash)).toBe(true);
    expect(hammingDistance(a.phash, c.phash)).toBeGreaterThan(20);
  });
});
