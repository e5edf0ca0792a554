import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { processPhoto, type WatermarkText } from '../modules/evidence/photo-pipeline';
import { samplePhoto } from '../modules/evidence/photo-sample';

/** The text of the committed sample; realistic lengths, so a reviewer sees how a long address wraps. */
const SAMPLE_WATERMARK: WatermarkText = {
  time: '2026-11-27 10:00（北京时间）',
  customer: '上海鼎盛五金贸易有限公司',
  place: '上海市黄浦区人民大道200号 · 31.230400, 121.473700',
  rep: '张伟（rep01）',
  visitId: '10086',
};

/** `npm run sample:watermark [-- <out.jpg>]`: renders the sample photo through the real pipeline into docs/. */
async function run(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? path.join(__dirname, '../../../docs/sample-watermarked-photo.jpg'));
  const input = await samplePhoto('street', 1600, 1200).jpeg({ quality: 92 }).toBuffer();
  const photo = await processPhoto(input, { maxBytes: 10 * 1024 * 1024, watermark: SAMPLE_WATERMARK });
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, photo.watermarked.bytes);
  const { width, height, bytes, sha256 } = photo.watermarked;
  process.stdout.write(`已写入 ${path.relative(process.cwd(), out)}（${width}×${height}，${Math.round(bytes.length / 1024)} KB，sha256 ${sha256}）\n`);
}

run().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
