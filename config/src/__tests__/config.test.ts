import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, loadDatabaseConfig } from '../index';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'gonghai-config-'));

describe('configuration', () => {
  it('defaults to SQLite in DATA_DIR with the sandbox left to the database and persists a generated JWT secret', () => {
    const dir = tmp();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ dialect: 'sqlite', file: path.join(dir, 'gonghai.db') });
    // Unset: the server decides from the database (on only while it holds no production tenant).
    expect(config.sandbox).toBe('auto');
    expect(config.jobs).toBe(true);
    expect(config.timeZone).toBe('Asia/Shanghai');
    expect(config.photoStore).toBe(path.join(dir, 'photos'));
    expect(config.jwt.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(path.join(dir, 'jwt-secret'), 'utf8').trim()).toBe(config.jwt.secret);
    expect(loadConfig({ DATA_DIR: dir }).jwt.secret).toBe(config.jwt.secret);
  });

  it('keeps PLATFORM_SANDBOX as set, so an explicit on can be refused beside a production tenant', () => {
    expect(loadConfig({ DATA_DIR: tmp(), PLATFORM_SANDBOX: 'on' }).sandbox).toBe('on');
    expect(loadConfig({ DATA_DIR: tmp(), PLATFORM_SANDBOX: 'off' }).sandbox).toBe('off');
  });

  it('creates DATA_DIR and the generated secrets readable by the service user alone', () => {
    const dir = path.join(tmp(), 'nested', 'data');
    loadConfig({ DATA_DIR: dir });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'master-key')).mode & 0o777).toBe(0o600);
  });

  it('is frozen all the way down', () => {
    const config = loadConfig({ DATA_DIR: tmp(), DATABASE_URL: 'mysql://u:p@db:3306/gonghai', JWT_SECRET: 'x'.repeat(40), MASTER_KEY: 'a'.repeat(64) });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
    expect(config.database).toEqual({ dialect: 'mysql', url: 'mysql://u:p@db:3306/gonghai' });
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'postgres://x'],
    ['TZ_DEFAULT', 'Mars/Olympus'],
    ['PLATFORM_SANDBOX', 'yes'],
    ['JOBS', 'maybe'],
    ['MASTER_KEY', 'short'],
    ['JWT_SECRET', 'too-short'],
  ])('stops with a message naming %s when it is %p', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: tmp(), [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`${name}=${JSON.stringify(value)}`);
  });

  it('requires real secrets and no sandbox in production', () => {
    const base = { DATA_DIR: tmp(), NODE_ENV: 'production' };
    expect(() => loadConfig(base)).toThrow(/JWT_SECRET is required/);
    const secrets = { ...base, JWT_SECRET: 'x'.repeat(40), MASTER_KEY: 'a'.repeat(64) };
    expect(loadConfig(secrets).sandbox).toBe('off');
    expect(() => loadConfig({ ...secrets, PLATFORM_SANDBOX: 'on' })).toThrow(/PLATFORM_SANDBOX=on is not allowed/);
  });

  // Issue 20 item 4: instances on one MySQL database must share the secrets; per-DATA_DIR files would differ on each.
  it('requires JWT_SECRET and MASTER_KEY with a MySQL DATABASE_URL, naming the missing ones, and writes no secret files', () => {
    const dir = tmp();
    const mysql = { DATA_DIR: dir, DATABASE_URL: 'mysql://u:p@db:3306/gonghai' };
    const refusal = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    const both = refusal(mysql);
    expect(both).toContain('使用 MySQL 数据库（DATABASE_URL=mysql://…）时必须设置 JWT_SECRET、MASTER_KEY。');
    expect(both).not.toContain('u:p@db');
    expect(refusal({ ...mysql, JWT_SECRET: 'x'.repeat(40) })).toContain('时必须设置 MASTER_KEY。');
    expect(refusal({ ...mysql, MASTER_KEY: 'a'.repeat(64) })).toContain('时必须设置 JWT_SECRET。');
    expect(existsSync(path.join(dir, 'jwt-secret'))).toBe(false);
    expect(existsSync(path.join(dir, 'master-key'))).toBe(false);
    // The migration needs only the database.
    expect(loadDatabaseConfig(mysql)).toEqual({ database: { dialect: 'mysql', url: 'mysql://u:p@db:3306/gonghai' } });
  });

  it('migrates on start by default only on SQLite; MIGRATE_ON_START says otherwise', () => {
    const secrets = { JWT_SECRET: 'x'.repeat(40), MASTER_KEY: 'a'.repeat(64) };
    const mysql = { DATA_DIR: tmp(), DATABASE_URL: 'mysql://u:p@db:3306/gonghai', ...secrets };
    expect(loadConfig({ DATA_DIR: tmp() }).migrateOnStart).toBe(true);
    expect(loadConfig(mysql).migrateOnStart).toBe(false);
    expect(loadConfig({ ...mysql, MIGRATE_ON_START: 'on' }).migrateOnStart).toBe(true);
    expect(loadConfig({ DATA_DIR: tmp(), MIGRATE_ON_START: 'off' }).migrateOnStart).toBe(false);
  });
});
