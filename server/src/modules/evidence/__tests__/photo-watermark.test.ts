import sharp from 'sharp';
import { assertCjkFont, burnWatermark, cjkFontAvailable, type RawImage, watermarkLines, type WatermarkText } from '../watermark';

const TEXT: WatermarkText = {
  time: '2026-11-27 10:00（北京时间）',
  customer: '上海鼎盛五金贸易有限公司',
  place: '上海市人民路1号 · 31.230400, 121.473700',
  rep: '张伟',
  visitId: '10086',
};

function white(width: number, height: number): RawImage {
  return { data: Buffer.alloc(width * height * 3, 255), width, height, channels: 3 };
}

/** Rows from the bottom whose middle pixel the band darkened (a white image under the band reads ~115). */
async function bandHeight(image: sharp.Sharp): Promise<number> {
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  // Sample the right edge: the text is left-aligned and never reaches it on a wide image.
  const x = info.width - 2;
  let rows = 0;
  for (let y = info.height - 1; y >= 0 && (data[(y * info.width + x) * info.channels] as number) < 200; y -= 1) rows += 1;
  return rows;
}

describe('the CJK font', () => {
  it('is known to fontconfig (npm test and .ci/run install fonts-wqy-microhei; without it this fails)', () => {
    expect(cjkFontAvailable()).toBe(true);
  });

  it('is demanded loudly: without it the watermark throws, naming the package to install', () => {
    expect(() => assertCjkFont(false)).toThrow('没有可用的中文字体，照片水印无法渲染中文。请安装：apt-get install -y fontconfig fonts-wqy-microhei（或 fonts-noto-cjk），然后重启服务。');
    expect(() => assertCjkFont(true)).not.toThrow();
  });
});

describe('burnWatermark', () => {
  it('labels the five facts in a fixed order', () => {
    expect(watermarkLines(TEXT)).toEqual([
      '时间：2026-11-27 10:00（北京时间）',
      '客户：上海鼎盛五金贸易有限公司',
      '地点：上海市人民路1号 · 31.230400, 121.473700',
      '拜访人：张伟',
      '拜访编号：10086',
    ]);
  });

  it('draws a band across the full width at the bottom, sized to five lines of text', async () => {
    const composed = await burnWatermark(white(1200, 900), TEXT);

    const { info } = await composed.clone().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([1200, 900]);
    const rows = await bandHeight(composed);
    // 25 px text (900/36) in five lines plus padding: between a sixth and a quarter of the height.
    expect(rows).toBeGreaterThan(150);
    expect(rows).toBeLessThan(225);
  });

  it('grows the band when a long address wraps', async () => {
    const longPlace = { ...TEXT, place: `${'浙江省杭州市西湖区文三路'.repeat(6)} · 30.274100, 120.155100` };

    const [short, long] = await Promise.all([bandHeight(await burnWatermark(white(1200, 900), TEXT)), bandHeight(await burnWatermark(white(1200, 900), longPlace))]);

    expect(long).toBeGreaterThan(short + 20);
  });

  it('draws names as text, not markup, and flattens newlines', async () => {
    const hostile = { ...TEXT, customer: '<b>A&B 公司</b>\n第二行', rep: '<span foreground="red">张伟</span>' };

    const composed = await burnWatermark(white(800, 600), hostile);

    const { info } = await composed.raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([800, 600]);
    expect(watermarkLines(hostile)[1]).toBe('客户：<b>A&B 公司</b>\n第二行');
  });

  it('still fits on a thumbnail-sized image, shrinking the text', async () => {
    const composed = await burnWatermark(white(64, 48), TEXT);

    const { info } = await composed.raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([64, 48]);
  });
});
