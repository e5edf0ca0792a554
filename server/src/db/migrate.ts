import { Migrator, type MigrationResultSet } from 'kysely';
import type { Db } from './create-db';
import { migrations } from './migrations';

function migrator(db: Db): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

function unwrap(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const why = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`数据库迁移失败 (migration ${failed?.migrationName ?? '?'}): ${why}`);
  }
  return (result.results ?? []).map((r) => r.migrationName);
}

/**
 * Brings the schema to the newest version; returns the names of the migrations it applied. On MySQL it runs under the
 * cluster-wide lock row (migration-lock.ts): of several instances at once, one migrates and the others wait for it,
 * then find nothing left to do.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  return unwrap(await migrator(db).migrateToLatest());
}

/** Brings the schema to exactly the named migration, up or down (tests of a migration's data). */
export async function migrateTo(db: Db, name: string): Promise<string[]> {
  return unwrap(await migrator(db).migrateTo(name));
}

/** Rolls everything back (tests of the `down` functions). */
export async function migrateDownAll(db: Db): Promise<string[]> {
  const m = migrator(db);
  const done: string[] = [];
  for (;;) {
    const names = unwrap(await m.migrateDown());
    if (names.length === 0) return done;
    done.push(...names);
  }
}

/** The migrations this code has that the database has not run yet, oldest first (empty when the schema is current). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const infos = await migrator(db).getMigrations();
  return infos.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
