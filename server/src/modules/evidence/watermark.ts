import { execFileSync } from 'node:child_process';
import sharp from 'sharp';

/** The five facts burned into every photo, already formatted for people (DESIGN §5.2). */
export interface WatermarkText {
  /** Server time in the tenant's zone, e.g. `2026-11-27 10:00（北京时间）`. */
  time: string;
  customer: string;
  /** Address and/or coordinates, e.g. `上海市人民路1号 · 31.230400, 121.473700`. */
  place: string;
  rep: string;
  visitId: string;
}

/** Decoded 8-bit sRGB pixels, as the photo pipeline hands them over. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

/**
 * Pango font description families, first match wins. Named through fontconfig, never by file path, so the font comes
 * from the system: Debian's fonts-wqy-microhei is what `npm test` and `.ci/run` install; Noto CJK is taken if present.
 */
export const WATERMARK_FONT_FAMILIES = 'WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif';

/** The apt command that provides the CJK font; quoted in the error when it is missing. */
export const CJK_FONT_INSTALL_COMMAND = 'apt-get install -y fontconfig fonts-wqy-microhei';

let cjkFontProbe: boolean | undefined;

/**
 * Whether fontconfig knows a font covering Chinese (`fc-list :lang=zh family`). Asked once per process: without such
 * a font pango draws every Chinese character as an empty box, which would ruin the watermark silently.
 */
export function cjkFontAvailable(): boolean {
  if (cjkFontProbe === undefined) {
    try {
      const families = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
      cjkFontProbe = families.trim().length > 0;
    } catch {
      cjkFontProbe = false;
    }
  }
  return cjkFontProbe;
}

/** Throws, naming the install command, when no CJK font is available; never returns quietly without one. */
export function assertCjkFont(available: boolean = cjkFontAvailable()): void {
  if (!available) {
    throw new Error(`没有可用的中文字体，照片水印无法渲染中文。请安装：${CJK_FONT_INSTALL_COMMAND}（或 fonts-noto-cjk），然后重启服务。`);
  }
}

/** The watermark's lines, labelled, in the order they are drawn. */
export function watermarkLines(text: WatermarkText): string[] {
  return [`时间：${text.time}`, `客户：${text.customer}`, `地点：${text.place}`, `拜访人：${text.rep}`, `拜访编号：${text.visitId}`];
}

// Customer names and addresses are user input: pango markup must not interpret them, and a newline must not add a line.
const escapeMarkup = (line: string) =>
  line
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');

/** Fraction of the band's darkness: enough for white text to read on a white wall, while the scene stays visible. */
const BAND_OPACITY = 0.55;
/** The text block may take at most this share of the photo's height; longer text is shrunk to fit. */
const MAX_TEXT_SHARE = 0.4;

/** Font size in pixels for a photo: readable on a phone at full width, about 1/36 of the shorter side. */
export function watermarkFontPx(width: number, height: number): number {
  return Math.max(12, Math.min(64, Math.round(Math.min(width, height) / 36)));
}

async function renderText(lines: string[], fontPx: number, boxWidth: number, fitHeight?: number) {
  const markup = `<span foreground="#ffffff">${lines.map(escapeMarkup).join('\n')}</span>`;
  return sharp({
    text: {
      text: markup,
      font: `${WATERMARK_FONT_FAMILIES} ${fontPx}px`,
      width: boxWidth,
      // dpi 72 makes the `px` size and `spacing` (points) the same unit; sharp takes a dpi or a height to fit, not both.
      ...(fitHeight ? { height: fitHeight } : { dpi: 72 }),
      spacing: Math.round(fontPx * 0.25),
      wrap: 'word-char',
      rgba: true,
    },
  })
    .png()
    .toBuffer({ resolveWithObject: true });
}

/**
 * Burns the watermark into the bottom of the image: a semi-transparent dark band as wide as the photo, sized to the
 * text, with the five lines in white. Returns the composited pipeline for the caller to encode.
 */
export async function burnWatermark(image: RawImage, text: WatermarkText): Promise<sharp.Sharp> {
  assertCjkFont();
  const { width, height } = image;
  const fontPx = watermarkFontPx(width, height);
  const padX = Math.round(fontPx * 0.8);
  const padY = Math.round(fontPx * 0.5);
  const boxWidth = Math.max(1, width - 2 * padX);
  const maxTextHeight = Math.max(1, Math.floor(height * MAX_TEXT_SHARE));
  const lines = watermarkLines(text);
  let rendered = await renderText(lines, fontPx, boxWidth);
  if (rendered.info.height > maxTextHeight) rendered = await renderText(lines, fontPx, boxWidth, maxTextHeight);
  const bandHeight = Math.min(height, rendered.info.height + 2 * padY);
  const bandTop = height - bandHeight;
  const textLeft = Math.min(padX, width - 1);
  const textTop = Math.min(height - 1, bandTop + padY);
  // Only a thumbnail-sized image can be narrower than one glyph; composite refuses overlays larger than the base.
  let textLayer = rendered.data;
  if (rendered.info.width > width - textLeft || rendered.info.height > height - textTop) {
    const crop = { left: 0, top: 0, width: Math.min(rendered.info.width, width - textLeft), height: Math.min(rendered.info.height, height - textTop) };
    textLayer = await sharp(rendered.data).extract(crop).png().toBuffer();
  }
  return sharp(image.data, { raw: { width, height, channels: image.channels } }).composite([
    {
      input: { create: { width, height: bandHeight, channels: 4, background: { r: 0, g: 0, b: 0, alpha: BAND_OPACITY } } },
      left: 0,
      top: bandTop,
    },
    { input: textLayer, left: textLeft, top: textTop },
  ]);
}
