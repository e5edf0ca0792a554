export { loadConfig, loadDatabaseConfig, ConfigError } from './config';
export type { AppConfig } from './config';
export { envSchema } from './schema';
export * from './demo';
