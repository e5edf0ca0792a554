import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../index';

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
    const config = loadConfig({ DATA_DIR: tmp(), DATABASE_URL: 'mysql://u:p@db:3306/gonghai' });
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
});
