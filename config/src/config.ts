import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { envSchema, type Env } from './schema';

export interface AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly database: { readonly dialect: 'sqlite'; readonly file: string } | { readonly dialect: 'mysql'; readonly url: string };
  readonly jwt: { readonly secret: string; readonly ttlSeconds: number };
  readonly masterKey: string;
  readonly photoStore: string;
  /**
   * PLATFORM_SANDBOX as set: `on`, `off`, or `auto` when unset outside production. The server turns `auto` into on or
   * off from the database (on only while it holds no production tenant, DESIGN §11): see sandbox.policy.ts.
   */
  readonly sandbox: 'on' | 'off' | 'auto';
  readonly jobs: boolean;
  /**
   * Whether `npm start` migrates the database (MIGRATE_ON_START): on by default for SQLite, off for MySQL, where
   * `npm run migrate` is the deploy step and a server on an older schema refuses to start.
   */
  readonly migrateOnStart: boolean;
  readonly timeZone: string;
  /** Where this server is reachable from itself; the sandboxes' base URLs hang off it. */
  readonly publicBaseUrl: string;
  readonly logLevel: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Creates DATA_DIR readable by the service user alone (DESIGN §15): it holds the database, secrets and photos. */
function ensureDataDir(dataDir: string): void {
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

/** Reads a secret from DATA_DIR, creating it on first use (local default only). */
function persistedSecret(dataDir: string, file: string, bytes: number): string {
  const full = path.join(dataDir, file);
  if (existsSync(full)) return readFileSync(full, 'utf8').trim();
  ensureDataDir(dataDir);
  const secret = randomBytes(bytes).toString('hex');
  writeFileSync(full, secret + '\n', { mode: 0o600 });
  return secret;
}

/**
 * Validates the environment and returns one frozen config. A bad value throws a ConfigError whose message names
 * every offending variable and says what it must be.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const e = parseEnv(source);
  const production = e.NODE_ENV === 'production';
  const missing = (['JWT_SECRET', 'MASTER_KEY'] as const).filter((name) => !e[name]);
  if (e.DATABASE_URL?.startsWith('mysql://') && missing.length > 0) {
    // Generated per DATA_DIR they would differ on every instance: tokens and sealed tenant secrets would not carry over.
    throw new ConfigError(
      `配置错误：使用 MySQL 数据库（DATABASE_URL=mysql://…）时必须设置 ${missing.join('、')}。` +
        '所有实例必须共用同一个 JWT_SECRET 和 MASTER_KEY，否则一个实例签发的登录令牌、加密保存的企业密钥在其他实例上都无法使用。' +
        '请给每个实例设置相同的值（可用 openssl rand -hex 32 生成：JWT_SECRET 至少 32 个字符，MASTER_KEY 为 64 位十六进制）。',
    );
  }
  if (production && !e.JWT_SECRET) throw new ConfigError('配置错误: JWT_SECRET is required when NODE_ENV=production');
  if (production && !e.MASTER_KEY) throw new ConfigError('配置错误: MASTER_KEY is required when NODE_ENV=production');
  if (production && e.PLATFORM_SANDBOX === 'on') {
    throw new ConfigError('配置错误: PLATFORM_SANDBOX=on is not allowed when NODE_ENV=production');
  }
  const dataDir = path.resolve(e.DATA_DIR);
  const database = databaseFrom(e, dataDir);
  const config: AppConfig = {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database,
    jwt: { secret: e.JWT_SECRET ?? persistedSecret(dataDir, 'jwt-secret', 32), ttlSeconds: e.JWT_TTL_SECONDS },
    masterKey: e.MASTER_KEY ?? persistedSecret(dataDir, 'master-key', 32),
    photoStore: e.PHOTO_STORE ?? path.join(dataDir, 'photos'),
    sandbox: e.PLATFORM_SANDBOX ?? (production ? 'off' : 'auto'),
    jobs: e.JOBS === 'on',
    migrateOnStart: e.MIGRATE_ON_START ? e.MIGRATE_ON_START === 'on' : database.dialect === 'sqlite',
    timeZone: e.TZ_DEFAULT,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL,
  };
  return deepFreeze(config);
}

/**
 * Only the database, for `npm run migrate`: the same validation as loadConfig, without requiring the secrets a
 * migration does not use (a deploy step may run with DATABASE_URL alone).
 */
export function loadDatabaseConfig(source: Record<string, string | undefined> = process.env): Pick<AppConfig, 'database'> {
  const e = parseEnv(source);
  return deepFreeze({ database: databaseFrom(e, path.resolve(e.DATA_DIR)) });
}

function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      return `  ${name}=${JSON.stringify(cleaned[name] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`配置错误 (invalid configuration), fix these environment variables:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

function databaseFrom(e: Env, dataDir: string): AppConfig['database'] {
  if (!e.DATABASE_URL) return { dialect: 'sqlite', file: path.join(dataDir, 'gonghai.db') };
  if (e.DATABASE_URL.startsWith('mysql://')) return { dialect: 'mysql', url: e.DATABASE_URL };
  const file = e.DATABASE_URL.slice('sqlite:'.length);
  if (!file) throw new ConfigError('配置错误: DATABASE_URL=sqlite: needs a file path, e.g. sqlite:./data/gonghai.db or sqlite::memory:');
  return { dialect: 'sqlite', file: file === ':memory:' ? file : path.resolve(file) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
