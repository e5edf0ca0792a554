import { MysqlAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Only the device probe read this index, and rep_devices answers it now; every visit insert paid for it.
  const drop = db.schema.dropIndex('visits_user_device');
  // MySQL names the table of an index to drop; SQLite refuses the ON clause.
  await (db.getExecutor().adapter instanceof MysqlAdapter ? drop.on('visits') : drop).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('visits_user_device').on('visits').columns(['tenant_id', 'user_id', 'device_label']).execute();
}
