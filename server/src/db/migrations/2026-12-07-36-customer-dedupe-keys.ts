import { MysqlAdapter, sql, type Kysely } from 'kysely';

/*
 * Duplicate-check keys (issue 19 item 4): the normalised name of each customer and the normalised phone of each contact,
 * indexed per tenant, so the check on creating a customer is two indexed equality lookups instead of a LIKE scan of the
 * tenant. The writers set them through `customerKeys` / `phoneKey` (modules/customers/duplicates.ts); this migration
 * fills the existing rows with a frozen copy of those normalisers as they were when it was written, so it keeps doing
 * what it did if the live ones change later (a later change to the rule comes with its own migration recomputing keys).
 */

const PAGE = 500;
const NAME_KEY_MAX = 255;
const LEGAL_SUFFIXES = ['股份有限公司', '有限责任公司', '有限公司', '集团公司', '公司'];

function nameKey(name: string): string {
  let s = name.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
  for (const suffix of LEGAL_SUFFIXES) {
    if (s.length > suffix.length && s.endsWith(suffix)) {
      s = s.slice(0, -suffix.length);
      break;
    }
  }
  return s.slice(0, NAME_KEY_MAX);
}

function phoneKey(phone: string | null): string | null {
  if (!phone) return null;
  let digits = phone.normalize('NFKC').replace(/\D+/g, '');
  if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.startsWith('86') && digits.length === 13) digits = digits.slice(2);
  return digits.length >= 5 ? digits : null;
}

/** Sets `column` of `table` row by row through one `case id when … end` statement per page. */
async function backfill(
  db: Kysely<any>,
  table: 'customers' | 'customer_contacts',
  source: 'name' | 'phone',
  column: 'name_key' | 'phone_key',
  key: (v: any) => string | null,
): Promise<void> {
  let after = 0;
  for (;;) {
    const rows: { id: number; v: string | null }[] = await db
      .selectFrom(table)
      .select(['id', `${source} as v`])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1]!.id);
    const set = rows.map((r) => ({ id: Number(r.id), k: key(r.v) })).filter((r) => r.k !== null);
    if (set.length === 0) continue;
    const cases = sql.join(set.map((r) => sql`when ${r.id} then ${r.k}`), sql` `);
    await sql`update ${sql.table(table)} set ${sql.ref(column)} = case id ${cases} end where id in (${sql.join(set.map((r) => r.id))})`.execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('customers').addColumn('name_key', 'varchar(255)', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('customer_contacts').addColumn('phone_key', 'varchar(32)').execute();
  await backfill(db, 'customers', 'name', 'name_key', nameKey);
  await backfill(db, 'customer_contacts', 'phone', 'phone_key', phoneKey);
  await db.schema.createIndex('customers_name_key').on('customers').columns(['tenant_id', 'name_key']).execute();
  await db.schema.createIndex('customer_contacts_phone_key').on('customer_contacts').columns(['tenant_id', 'phone_key']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // MySQL names the table of an index to drop; SQLite refuses the ON clause.
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  for (const [index, table] of [['customer_contacts_phone_key', 'customer_contacts'], ['customers_name_key', 'customers']] as const) {
    const drop = db.schema.dropIndex(index);
    await (mysql ? drop.on(table) : drop).execute();
  }
  await db.schema.alterTable('customer_contacts').dropColumn('phone_key').execute();
  await db.schema.alterTable('customers').dropColumn('name_key').execute();
}
