import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertPhotoKey, LocalPhotoStore, photoKey } from '../photo-store';

const SHA = 'd8ce93c04b4629745a268f98c2dc6ca1b90038fa8c03ceb154479802da6ad052';

describe('LocalPhotoStore', () => {
  let parent: string;
  let root: string;
  let store: LocalPhotoStore;

  beforeEach(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), 'gonghai-photos-'));
    root = path.join(parent, 'photos');
    store = new LocalPhotoStore(root);
  });

  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('round-trips bytes under a tenant/year/month key, creating the folders', async () => {
    const key = photoKey({ tenantId: 'demo-dingtalk', at: new Date('2026-11-27T02:00:00Z'), sha256: SHA });
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

    await store.put(key, bytes);

    expect(key).toBe(`demo-dingtalk/2026/11/${SHA}.jpg`);
    await expect(store.get(key)).resolves.toEqual(bytes);
    await expect(readFile(path.join(root, 'demo-dingtalk', '2026', '11', `${SHA}.jpg`))).resolves.toEqual(bytes);
  });

  it('answers undefined for a key never stored', async () => {
    await expect(store.get(`demo-wecom/2026/11/${SHA}.jpg`)).resolves.toBeUndefined();
  });

  it('replaces what a key held and leaves no temporary file behind', async () => {
    const key = `demo-wecom/2026/12/${SHA}.jpg`;

    await store.put(key, Buffer.from('first'));
    await store.put(key, Buffer.from('second'));

    await expect(store.get(key)).resolves.toEqual(Buffer.from('second'));
    await expect(readdir(path.join(root, 'demo-wecom', '2026', '12'))).resolves.toEqual([`${SHA}.jpg`]);
  });

  it('survives concurrent writes of the same key: the file is one whole version, never a mix', async () => {
    const key = `demo-wecom/2026/12/${SHA}.jpg`;
    const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(256 * 1024, i + 1));

    await Promise.all(versions.map((v) => store.put(key, v)));

    const stored = await store.get(key);
    expect(versions.some((v) => v.equals(stored as Buffer))).toBe(true);
    await expect(readdir(path.join(root, 'demo-wecom', '2026', '12'))).resolves.toEqual([`${SHA}.jpg`]);
  });

  it.each(['../escape.jpg', 'demo/../../escape.jpg', '/etc/escape.jpg', 'demo\\escape.jpg', '', 'demo//escape.jpg', '.hidden/escape.jpg', 'demo/./escape.jpg', 'demo/escape.jpg/'])(
    'refuses the key %p for put and get, writing nothing',
    async (key) => {
      await expect(store.put(key, Buffer.from('x'))).rejects.toThrow(RangeError);
      await expect(store.get(key)).rejects.toThrow(RangeError);
      await expect(readdir(parent)).resolves.toEqual([]);
    },
  );
});

describe('photoKey', () => {
  it('uses the UTC month and refuses a tenant id that would leave the tenant folder', () => {
    expect(photoKey({ tenantId: 't1', at: new Date('2026-12-31T23:30:00Z'), sha256: SHA })).toBe(`t1/2026/12/${SHA}.jpg`);
    expect(photoKey({ tenantId: 't1', at: new Date('2027-01-01T00:00:00Z'), sha256: SHA })).toBe(`t1/2027/01/${SHA}.jpg`);
    expect(() => photoKey({ tenantId: '..', at: new Date('2026-11-27T00:00:00Z'), sha256: SHA })).toThrow(RangeError);
    expect(() => assertPhotoKey(`t1/${'a'.repeat(300)}.jpg`)).toThrow(RangeError);
  });
});
