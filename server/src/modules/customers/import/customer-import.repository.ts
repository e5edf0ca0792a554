import type { Db } from '../../../db/create-db';
import { nameKey, phoneKey } from '../duplicates';

/** A customer row the import writes (into the pool; an owner is given afterwards through the ownership writer). */
export interface ImportedCustomer {
  tenantId: string;
  name: string;
  address: string;
  lat: number;
  lng: number;
  geohash: string;
  level: string;
  tags: string[];
  poolId: number;
  createdBy: string;
  now: number;
}

/** The tenant's users as the import resolves a 负责人 cell: by id, or by a name only one of them has. */
export async function tenantUsers(db: Db, tenantId: string): Promise<{ id: string; name: string; active: boolean }[]> {
  const rows = await db.selectFrom('users').select(['id', 'name', 'active']).where('tenant_id', '=', tenantId).execute();
  return rows.map((r) => ({ id: String(r.id), name: String(r.name ?? ''), active: Number(r.active) === 1 }));
}

/** Inserts one pool customer and answers its id (one statement per row: both dialects give its id exactly). */
export async function insertPoolCustomer(trx: Db, c: ImportedCustomer): Promise<number> {
  const result = await trx
    .insertInto('customers')
    .values({
      tenant_id: c.tenantId,
      name: c.name,
      name_key: nameKey(c.name),
      address: c.address,
      lat: c.lat,
      lng: c.lng,
      geohash: c.geohash,
      level: c.level,
      tags: JSON.stringify(c.tags),
      status: 'pool',
      pool_id: c.poolId,
      owner_id: null,
      owned_since: null,
      pool_entered_at: c.now,
      created_by: c.createdBy,
      created_at: c.now,
      updated_at: c.now,
    })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

/** The contacts of a batch of imported customers, in one statement. */
export async function insertContacts(
  trx: Db,
  rows: { tenantId: string; customerId: number; name: string; title: string | null; phone: string | null; now: number }[],
): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('customer_contacts')
    .values(rows.map((r) => ({ tenant_id: r.tenantId, customer_id: r.customerId, name: r.name, title: r.title, phone: r.phone, phone_key: phoneKey(r.phone), created_at: r.now })))
    .execute();
}
