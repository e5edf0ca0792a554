import type { Db } from '../../db/create-db';
import { containsText } from '../../db/like';
import { sql, type Selectable } from 'kysely';
import { DuplicateIndex, nameCandidatePattern, normaliseName, normalisePhone, phoneCandidatePattern, type DedupeCandidate } from './duplicates';
import type { CustomersTable } from './customers.table';

export type CustomerRow = Selectable<CustomersTable>;

export async function findCustomer(db: Db, tenantId: string, id: number): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function ownedCustomers(db: Db, tenantId: string, ownerId: string): Promise<CustomerRow[]> {
  return db
    .selectFrom('customers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('owner_id', '=', ownerId)
    .orderBy('id')
    .execute();
}

export async function poolCustomersPage(
  db: Db,
  q: { tenantId: string; poolIds: number[]; search?: string; afterId?: number; limit: number },
): Promise<CustomerRow[]> {
  if (q.poolIds.length === 0) return [];
  let query = db
    .selectFrom('customers')
    .selectAll()
    .where('tenant_id', '=', q.tenantId)
    .where('pool_id', 'in', q.poolIds)
    .where('status', '=', 'pool');
  if (q.search) query = query.where(containsText('name', q.search));
  if (q.afterId !== undefined) query = query.where('id', '>', q.afterId);
  return query.orderBy('id').limit(q.limit).execute();
}

export async function contactsOf(db: Db, tenantId: string, customerId: number) {
  return db
    .selectFrom('customer_contacts')
    .select(['id', 'name', 'title', 'phone'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('id')
    .execute();
}

export async function ledgerOf(db: Db, tenantId: string, customerId: number) {
  return db
    .selectFrom('ownership_events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('id')
    .execute();
}

export async function followUpsOf(db: Db, tenantId: string, customerId: number) {
  return db
    .selectFrom('follow_ups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('at')
    .execute();
}

export async function dealsOf(db: Db, tenantId: string, customerId: number) {
  return db
    .selectFrom('deals')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('id')
    .execute();
}

/**
 * The tenant's customers one new customer might duplicate, narrowed in the database (its name's characters in order, its
 * phones' last digits; see duplicates.ts) so a single creation reads a handful of rows, not the tenant. The rule itself
 * then decides on them exactly as on the whole tenant (a same place is a same name, so the name read covers it).
 */
export async function duplicateCandidates(db: Db, tenantId: string, candidate: DedupeCandidate): Promise<DuplicateIndex> {
  const columns = ['id', 'name', 'lat', 'lng', 'status', 'pool_id', 'owner_id'] as const;
  const phones = candidate.phones.map(normalisePhone).filter((p): p is string => p !== null);
  const byName = await db
    .selectFrom('customers')
    .select(columns)
    .where('tenant_id', '=', tenantId)
    .where(sql<boolean>`name like ${nameCandidatePattern(normaliseName(candidate.name))} escape '!'`)
    .execute();
  const phoneRows = phones.length
    ? await db
        .selectFrom('customer_contacts')
        .select(['customer_id', 'phone'])
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb.or(phones.map((p) => sql<boolean>`phone like ${phoneCandidatePattern(p)}`)))
        .orderBy('id')
        .execute()
    : [];
  const known = new Set(byName.map((c) => Number(c.id)));
  const more = [...new Set(phoneRows.map((p) => Number(p.customer_id)))].filter((id) => !known.has(id));
  const byPhone = more.length ? await db.selectFrom('customers').select(columns).where('tenant_id', '=', tenantId).where('id', 'in', more).execute() : [];
  return new DuplicateIndex(
    [...byName, ...byPhone].map((c) => ({ id: Number(c.id), name: c.name, lat: Number(c.lat), lng: Number(c.lng), status: c.status, poolId: Number(c.pool_id), ownerId: c.owner_id })),
    phoneRows.map((p) => ({ customerId: Number(p.customer_id), phone: p.phone })),
  );
}

/**
 * Every customer of the tenant (the few columns the de-duplication rule reads) and every contact phone, read once: an
 * import checks all its rows against this, and a single creation too (two narrow reads, no per-row queries).
 */
export async function tenantDuplicateIndex(db: Db, tenantId: string): Promise<DuplicateIndex> {
  const [customers, phones] = await Promise.all([
    db
      .selectFrom('customers')
      .select(['id', 'name', 'lat', 'lng', 'status', 'pool_id', 'owner_id'])
      .where('tenant_id', '=', tenantId)
      .execute(),
    db
      .selectFrom('customer_contacts')
      .select(['customer_id', 'phone'])
      .where('tenant_id', '=', tenantId)
      .where('phone', 'is not', null)
      .orderBy('id')
      .execute(),
  ]);
  return new DuplicateIndex(
    customers.map((c) => ({ id: Number(c.id), name: c.name, lat: Number(c.lat), lng: Number(c.lng), status: c.status, poolId: Number(c.pool_id), ownerId: c.owner_id })),
    phones.map((p) => ({ customerId: Number(p.customer_id), phone: p.phone })),
  );
}

/** One page of the tenant's customers for the export, in id order, filtered by pool, status and owner when given. */
export async function customersPageForExport(
  db: Db,
  q: { tenantId: string; poolId?: number; status?: 'pool' | 'owned'; ownerId?: string; afterId: number; limit: number },
): Promise<CustomerRow[]> {
  let query = db.selectFrom('customers').selectAll().where('tenant_id', '=', q.tenantId).where('id', '>', q.afterId);
  if (q.poolId !== undefined) query = query.where('pool_id', '=', q.poolId);
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  if (q.ownerId !== undefined) query = query.where('owner_id', '=', q.ownerId);
  return query.orderBy('id').limit(q.limit).execute();
}

/** The first contact of each of `customerIds` (the one the import wrote). */
export async function firstContactsOf(db: Db, tenantId: string, customerIds: number[]) {
  const first = new Map<number, { name: string; title: string | null; phone: string | null }>();
  if (customerIds.length === 0) return first;
  const rows = await db
    .selectFrom('customer_contacts')
    .select(['customer_id', 'name', 'title', 'phone'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', 'in', customerIds)
    .orderBy('id')
    .execute();
  for (const r of rows) if (!first.has(Number(r.customer_id))) first.set(Number(r.customer_id), { name: r.name, title: r.title, phone: r.phone });
  return first;
}
