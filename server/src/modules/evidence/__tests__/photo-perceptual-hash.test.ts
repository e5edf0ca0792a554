import sharp from 'sharp';
import { hammingDistance, isNearDuplicate, NEAR_DUPLICATE_THRESHOLD, perceptualHash, phashBands } from '../perceptual-hash';
import { samplePhoto } from '../photo-sample';

describe('perceptualHash', () => {
  it('gives the known 64-bit hash of each sample scene', async () => {
    // Pins the algorithm (32×32 grey, 8×8 lowest DCT frequencies, above-median bits): a change here orphans stored hashes.
    await expect(perceptualHash(samplePhoto('street', 400, 300))).resolves.toBe('adb650f22b4b4a8e');
    await expect(perceptualHash(samplePhoto('storefront', 400, 300))).resolves.toBe('e99694a9e9eb9490');
  });

  it('calls the same photo re-encoded at a much lower JPEG quality a near-duplicate', async () => {
    const photo = await samplePhoto('street', 800, 600).jpeg({ quality: 92 }).toBuffer();
    const recompressed = await sharp(photo).jpeg({ quality: 35 }).toBuffer();

    const [a, b] = await Promise.all([perceptualHash(photo), perceptualHash(recompressed)]);

    expect(hammingDistance(a, b)).toBeLessThanOrEqual(2);
    expect(isNearDuplicate(a, b)).toBe(true);
  });

  it('calls the same photo slightly brightened and downscaled a near-duplicate', async () => {
    const photo = await samplePhoto('storefront', 800, 600).jpeg({ quality: 92 }).toBuffer();
    const edited = await sharp(photo).modulate({ brightness: 1.15 }).resize(400).jpeg({ quality: 80 }).toBuffer();

    const [a, b] = await Promise.all([perceptualHash(photo), perceptualHash(edited)]);

    expect(hammingDistance(a, b)).toBeLessThanOrEqual(2);
    expect(isNearDuplicate(a, b)).toBe(true);
  });

  it('tells two different scenes apart', async () => {
    const [a, b] = await Promise.all([
      perceptualHash(await samplePhoto('street', 800, 600).jpeg().toBuffer()),
      perceptualHash(await samplePhoto('storefront', 800, 600).jpeg().toBuffer()),
    ]);

    expect(hammingDistance(a, b)).toBeGreaterThan(20);
    expect(isNearDuplicate(a, b)).toBe(false);
  });

  it('hashes a Buffer upright: the same pixels stored sideways with an EXIF orientation hash like the upright ones', async () => {
    const upright = await samplePhoto('street', 400, 300).png().toBuffer();
    // Rotated 90° counter-clockwise and tagged "rotate 90° clockwise to view" (6): a viewer sees the upright photo.
    const sideways = await sharp(upright).rotate(270).withMetadata({ orientation: 6 }).png().toBuffer();

    const [a, b] = await Promise.all([perceptualHash(upright), perceptualHash(sideways)]);

    expect(hammingDistance(a, b)).toBe(0);
  });
});

describe('hammingDistance and isNearDuplicate', () => {
  it('counts differing bits', () => {
    expect(hammingDistance('0000000000000000', '0000000000000000')).toBe(0);
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('8000000000000001', '0000000000000000')).toBe(2);
    expect(hammingDistance('f0f0f0f0f0f0f0f0', '0f0f0f0f0f0f0f0f')).toBe(64);
    expect(hammingDistance('0123456789abcdef', '0123456789abcdee')).toBe(1);
  });

  it('refuses anything that is not 16 lowercase hex chars', () => {
    expect(() => hammingDistance('ABCDEF0123456789', '0000000000000000')).toThrow(RangeError);
    expect(() => hammingDistance('000000000000000', '0000000000000000')).toThrow(RangeError);
    expect(() => hammingDistance('0000000000000000', 'zzzzzzzzzzzzzzzz')).toThrow(RangeError);
  });

  it('counts up to 6 differing bits as a near-duplicate by default, and takes another threshold', () => {
    expect(NEAR_DUPLICATE_THRESHOLD).toBe(6);
    expect(isNearDuplicate('0000000000000000', '000000000000003f')).toBe(true);
    expect(isNearDuplicate('0000000000000000', '000000000000007f')).toBe(false);
    expect(isNearDuplicate('0000000000000000', '000000000000007f', 7)).toBe(true);
    expect(isNearDuplicate('0000000000000000', '0000000000000001', 0)).toBe(false);
  });

  it('cuts a hash into four 16-bit bands for the index', () => {
    expect(phashBands('0123456789abcdef')).toEqual(['0123', '4567', '89ab', 'cdef']);
    expect(() => phashBands('0123')).toThrow(RangeError);
  });
});
