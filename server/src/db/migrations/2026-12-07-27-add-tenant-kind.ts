import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Whether a tenant is a real company or the demo (DESIGN §11, §15): the sandbox and the demo may exist only in a
  // database that holds no production tenant, and the server decides that from this column at start-up. A row that
  // says nothing is a real company: the safe side.
  await db.schema.alterTable('tenants').addColumn('kind', 'varchar(16)', (c) => c.notNull().defaultTo('production')).execute();
  // The two tenants the demo seed creates (DESIGN §12), under the ids it has always used.
  await db.updateTable('tenants').set({ kind: 'demo' }).where('id', 'in', ['demo-dingtalk', 'demo-wecom']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tenants').dropColumn('kind').execute();
}
