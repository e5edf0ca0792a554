import sharp from 'sharp';

/** A scene the sample generator can paint. */
export type SampleScene = 'street' | 'storefront';

/** A deterministic xorshift32 generator, so the grain is the same on every run and every machine. */
function xorshift(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

// The per-pixel code truncates with `| 0` instead of Math.floor/round: inside Jest's VM context every Math call is
// slow enough that painting a 3-megapixel sample took 6 s instead of 0.5 s. All values here are small and non-negative.
const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : (v + 0.5) | 0);

type Rgb = [number, number, number];
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

/** Three buildings of different heights (fractions of the frame), each with a grid of lit and unlit windows. */
const BUILDINGS: { left: number; right: number; top: number; colour: Rgb }[] = [
  { left: 0.06, right: 0.3, top: 0.22, colour: [120, 128, 140] },
  { left: 0.34, right: 0.52, top: 0.34, colour: [150, 120, 100] },
  { left: 0.56, right: 0.7, top: 0.28, colour: [95, 110, 125] },
];

function paintStreet(x: number, y: number, w: number, h: number, rnd: () => number): Rgb {
  const horizon = h * 0.62;
  const sunR = (w < h ? w : h) * 0.08;
  const dx = x - w * 0.78;
  const dy = y - h * 0.2;
  if (dx * dx + dy * dy < sunR * sunR) return [255, 236, 170];
  for (const b of BUILDINGS) {
    if (x >= b.left * w && x < b.right * w && y >= b.top * h && y < horizon) {
      const cellW = w * 0.025;
      const cellH = h * 0.045;
      const inWindow = (x - b.left * w) % cellW > cellW * 0.35 && (y - b.top * h) % cellH > cellH * 0.4;
      if (inWindow) return (((x / cellW) | 0) * 7 + ((y / cellH) | 0) * 3) % 5 === 0 ? [250, 220, 140] : [60, 75, 95];
      return b.colour;
    }
  }
  if (y < horizon) return mix([70, 130, 200], [190, 215, 235], y / horizon);
  // The road: darker towards the viewer, with dashed centre marks that converge on the horizon.
  const depth = (y - horizon) / (h - horizon);
  const centre = w * 0.5;
  const markHalf = w * (0.004 + 0.02 * depth);
  if (x > centre - markHalf && x < centre + markHalf && ((depth * 12) | 0) % 2 === 0) return [235, 235, 225];
  const grain = (rnd() - 0.5) * 10;
  const road = mix([120, 120, 118], [70, 72, 74], depth);
  return [road[0] + grain, road[1] + grain, road[2] + grain];
}

const SHELF_BOXES: Rgb[] = [[230, 180, 60], [60, 150, 200], [200, 90, 120], [120, 190, 110]];

function paintStorefront(x: number, y: number, w: number, h: number, rnd: () => number): Rgb {
  const awningBottom = h * 0.28;
  if (y < h * 0.12) return mix([235, 230, 220], [210, 205, 195], y / (h * 0.12));
  if (y < awningBottom) return ((x / (w * 0.08)) | 0) % 2 === 0 ? [200, 40, 45] : [245, 245, 240];
  const door = { left: w * 0.62, right: w * 0.84, top: h * 0.36 };
  if (x >= door.left && x < door.right && y >= door.top) return mix([70, 45, 30], [110, 75, 50], (x - door.left) / (door.right - door.left));
  // A shop window of shelves with boxes of alternating colours.
  if (x > w * 0.08 && x < w * 0.54 && y > h * 0.36 && y < h * 0.86) {
    const shelf = ((y - h * 0.36) / (h * 0.125)) | 0;
    if ((y - h * 0.36) % (h * 0.125) < h * 0.012) return [90, 90, 95];
    const box = ((x / (w * 0.045)) | 0) + shelf;
    return SHELF_BOXES[box % SHELF_BOXES.length] as Rgb;
  }
  const grain = (rnd() - 0.5) * 8;
  return [180 + grain, 170 + grain, 155 + grain];
}

/**
 * A photo-like test image painted pixel by pixel (gradients, shapes, a little grain): the same bytes on every run,
 * no files needed. Used by the watermark sample and the photo tests; returns a raw sharp pipeline to encode as wanted.
 */
export function samplePhoto(scene: SampleScene, width: number, height: number): sharp.Sharp {
  const rnd = xorshift(scene === 'street' ? 20261127 : 4);
  const data = Buffer.alloc(width * height * 3);
  const paint = scene === 'street' ? paintStreet : paintStorefront;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const [r, g, b] = paint(x, y, width, height, rnd);
      const i = (y * width + x) * 3;
      data[i] = clamp(r);
      data[i + 1] = clamp(g);
      data[i + 2] = clamp(b);
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } });
}
