import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { checkpointInBackground, FALLBACK_AUTOCHECKPOINT_PAGES } from '../sqlite-checkpointer';

describe('SQLite checkpoints on a background connection', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-ckpt-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves commits to the main connection and copies the WAL into the database from the worker', async () => {
    const file = path.join(dir, 'app.db');
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    // Only the checkpoints this test asks for: the worker's own timer is set far beyond the test.
    const checkpointer = checkpointInBackground(sqlite, file, { everyMs: 3_600_000 });
    // The main connection no longer checkpoints at SQLite's default of 1,000 pages.
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);

    sqlite.exec('create table t (id integer primary key, body text not null)');
    const insert = sqlite.prepare('insert into t (body) values (?)');
    const many = sqlite.transaction((n: number) => {
      for (let i = 0; i < n; i++) insert.run(`${i}`.padEnd(2000, 'x'));
    });
    for (let i = 0; i < 5; i++) many(500);
    // 2,500 rows of 2 KB: well past 1,000 pages, all still in the WAL.
    const walBytes = statSync(`${file}-wal`).size;
    expect(walBytes).toBeGreaterThan(1000 * 4096);
    expect(statSync(file).size).toBeLessThan(64 * 1024);

    const result = await checkpointer.checkpointNow();
    expect(result.busy).toBe(0);
    expect(result.log).toBeGreaterThan(1000);
    expect(result.checkpointed).toBe(result.log);
    expect(statSync(file).size).toBeGreaterThan(2500 * 2000);

    // The next write starts the WAL over instead of growing it.
    many(10);
    expect(statSync(`${file}-wal`).size).toBe(walBytes);
    expect((await checkpointer.checkpointNow()).log).toBeLessThan(100);

    sqlite.close();
    await checkpointer.stopped;
    const reopened = new SQLite(file, { readonly: true });
    expect(reopened.prepare('select count(*) as n, sum(length(body)) as bytes from t').get()).toEqual({ n: 2510, bytes: 2510 * 2000 });
    reopened.close();
  });
});
