import { MysqlAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // An approval instance id names one assignment of a tenant (DESIGN §7): a result is applied to the request that
  // holds its id, so a platform (or a restarted sandbox) that hands out an id twice must be refused, not obeyed for the
  // wrong request (issue 16). Ids already given to several requests stay with the newest, the one whose approval is
  // still live on the platform; the older ones keep theirs with `#<request id>` appended, so the history still reads.
  const duplicates = await db
    .selectFrom('assignment_requests')
    .select(['tenant_id', 'approval_instance_id'])
    .where('approval_instance_id', 'is not', null)
    .groupBy(['tenant_id', 'approval_instance_id'])
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute();
  for (const { tenant_id, approval_instance_id } of duplicates) {
    const rows = await db
      .selectFrom('assignment_requests')
      .select('id')
      .where('tenant_id', '=', tenant_id)
      .where('approval_instance_id', '=', approval_instance_id)
      .orderBy('id', 'desc')
      .execute();
    for (const { id } of rows.slice(1)) {
      await db.updateTable('assignment_requests').set({ approval_instance_id: `${approval_instance_id}#${id}` }).where('id', '=', id).execute();
    }
  }
  await db.schema.createIndex('assignment_requests_instance_unique').unique().on('assignment_requests').columns(['tenant_id', 'approval_instance_id']).execute();
  await dropIndex(db, 'assignment_requests_instance');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('assignment_requests_instance').on('assignment_requests').columns(['tenant_id', 'approval_instance_id']).execute();
  await dropIndex(db, 'assignment_requests_instance_unique');
}

/** MySQL names the table of an index to drop; SQLite refuses the ON clause. */
async function dropIndex(db: Kysely<any>, name: string): Promise<void> {
  const drop = db.schema.dropIndex(name);
  await (db.getExecutor().adapter instanceof MysqlAdapter ? drop.on('assignment_requests') : drop).execute();
}
