import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb } from '../db/create-db';
import { LocalPhotoStore } from '../modules/evidence/photo-store';

const mode = (file: string) => statSync(file).mode & 0o777;

// DESIGN §15: DATA_DIR and what is in it (database, secrets, photos) are readable by the service user alone. The
// generated secrets and DATA_DIR itself are covered in config/src/__tests__/config.test.ts.
describe('files at rest', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-modes-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the SQLite folder 0700 and the database with its -wal and -shm files 0600', async () => {
    const file = path.join(dir, 'data', 'gonghai.db');
    const db = createDb({ dialect: 'sqlite', file });
    try {
      await sql`create table t (x integer)`.execute(db);
      await sql`insert into t values (1)`.execute(db);
      expect(mode(path.dirname(file))).toBe(0o700);
      expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    } finally {
      await db.destroy();
    }
  });

  it('stores photos in folders 0700 as files 0600', async () => {
    const root = path.join(dir, 'photos');
    const store = new LocalPhotoStore(root);
    await store.put('demo-dingtalk/2026/12/abc.jpg', Buffer.from('jpeg'));
    expect(await store.get('demo-dingtalk/2026/12/abc.jpg')).toEqual(Buffer.from('jpeg'));
    expect([root, `${root}/demo-dingtalk`, `${root}/demo-dingtalk/2026`, `${root}/demo-dingtalk/2026/12`].map(mode)).toEqual([0o700, 0o700, 0o700, 0o700]);
    expect(mode(`${root}/demo-dingtalk/2026/12/abc.jpg`)).toBe(0o600);
  });
});
