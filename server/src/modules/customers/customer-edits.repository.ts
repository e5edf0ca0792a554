import type { Updateable } from 'kysely';
import type { Db } from '../../db/create-db';
import type { CustomerEditKind, CustomersTable, FieldChange } from './customers.table';
import { nameKey, phoneKey } from './duplicates';

/** A row of a customer's edit history (`customer_edits`). */
export interface CustomerEdit {
  id: number;
  customerId: number;
  actorId: string;
  kind: CustomerEditKind;
  changes: FieldChange[];
  mergedCustomerId: number | null;
  at: number;
}

export async function insertEdit(
  db: Db,
  e: { tenantId: string; customerId: number; actorId: string; kind: CustomerEditKind; changes: FieldChange[]; mergedCustomerId?: number; at: number },
): Promise<void> {
  await db
    .insertInto('customer_edits')
    .values({
      tenant_id: e.tenantId,
      customer_id: e.customerId,
      actor_id: e.actorId,
      kind: e.kind,
      changes: JSON.stringify(e.changes),
      merged_customer_id: e.mergedCustomerId ?? null,
      at: e.at,
    })
    .execute();
}

/** A customer's edit history, oldest first. */
export async function editsOf(db: Db, tenantId: string, customerId: number): Promise<CustomerEdit[]> {
  const rows = await db
    .selectFrom('customer_edits')
    .select(['id', 'customer_id', 'actor_id', 'kind', 'changes', 'merged_customer_id', 'at'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    customerId: Number(r.customer_id),
    actorId: r.actor_id,
    kind: r.kind,
    changes: JSON.parse(r.changes) as FieldChange[],
    mergedCustomerId: r.merged_customer_id === null ? null : Number(r.merged_customer_id),
    at: Number(r.at),
  }));
}

/** Sets some columns of one customer (and the name's duplicate-check key with a new name). */
export async function updateCustomerColumns(db: Db, tenantId: string, id: number, set: Updateable<CustomersTable>): Promise<void> {
  if (set.name !== undefined) set = { ...set, name_key: nameKey(set.name as string) };
  await db.updateTable('customers').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function findContact(db: Db, tenantId: string, customerId: number, contactId: number) {
  return db
    .selectFrom('customer_contacts')
    .select(['id', 'name', 'title', 'phone'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('id', '=', contactId)
    .executeTakeFirst();
}

export async function insertContact(
  db: Db,
  c: { tenantId: string; customerId: number; name: string; title: string | null; phone: string | null; now: number },
): Promise<number> {
  const result = await db
    .insertInto('customer_contacts')
    .values({ tenant_id: c.tenantId, customer_id: c.customerId, name: c.name, title: c.title, phone: c.phone, phone_key: phoneKey(c.phone), created_at: c.now })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function updateContact(
  db: Db,
  tenantId: string,
  contactId: number,
  set: { name?: string; title?: string | null; phone?: string | null },
): Promise<void> {
  await db
    .updateTable('customer_contacts')
    .set(set.phone === undefined ? set : { ...set, phone_key: phoneKey(set.phone) })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', contactId)
    .execute();
}

export async function deleteContact(db: Db, tenantId: string, contactId: number): Promise<void> {
  await db.deleteFrom('customer_contacts').where('tenant_id', '=', tenantId).where('id', '=', contactId).execute();
}
