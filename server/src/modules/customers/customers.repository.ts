import { isMysql, type Db } from '../../db/create-db';
import { containsText } from '../../db/like';
import { sql, type Selectable } from 'kysely';
import { DuplicateIndex, nameKey, phoneKey, type DedupeCandidate, type DedupeCustomer } from './duplicates';
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

/** How many keys one `in (…)` list carries. */
const KEYS_PER_QUERY = 500;

const chunks = <T>(xs: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += KEYS_PER_QUERY) out.push(xs.slice(i, i + KEYS_PER_QUERY));
  return out;
};

/**
 * The tenant's customers the given new customers might duplicate, found by their keys (`name_key`, contacts'
 * `phone_key`: indexed equality lookups, see duplicates.ts `nameKey`) so a creation reads a handful of rows, not the
 * tenant, in one round trip; an import passes all its rows at once (one query per 500 keys). The rule then decides on
 * them exactly as on the whole tenant (a same place is a same name, so the name lookup covers it).
 */
export async function duplicateCandidates(db: Db, tenantId: string, candidates: readonly DedupeCandidate[]): Promise<DuplicateIndex> {
  const nameParts = chunks([...new Set(candidates.map((c) => nameKey(c.name)))]);
  const phoneParts = chunks([...new Set(candidates.flatMap((c) => c.phones.map(phoneKey)).filter((p): p is string => p !== null))]);
  const byName = (keys: string[]) =>
    db
      .selectFrom('customers as c')
      .select(['c.id', 'c.name', 'c.lat', 'c.lng', 'c.status', 'c.pool_id', 'c.owner_id', sql<number | null>`null`.as('contact_id'), sql<string | null>`null`.as('phone')])
      .where('c.tenant_id', '=', tenantId)
      .where('c.name_key', 'in', keys);
  const byPhone = (keys: string[]) =>
    db
      .selectFrom('customer_contacts as cc')
      .innerJoin('customers as c', (j) => j.onRef('c.id', '=', 'cc.customer_id').onRef('c.tenant_id', '=', 'cc.tenant_id'))
      .select(['c.id', 'c.name', 'c.lat', 'c.lng', 'c.status', 'c.pool_id', 'c.owner_id', 'cc.id as contact_id', 'cc.phone'])
      .where('cc.tenant_id', '=', tenantId)
      .where('cc.phone_key', 'in', keys);
  const rows = [];
  for (let i = 0; i < Math.max(nameParts.length, phoneParts.length); i++) {
    const names = nameParts[i];
    const phones = phoneParts[i];
    // A creation's name and phones in one statement (one round trip inside its locked transaction).
    const query = names && phones ? byName(names).unionAll(byPhone(phones)) : names ? byName(names) : byPhone(phones!);
    rows.push(...(await query.execute()));
  }
  const customers = new Map<number, DedupeCustomer>();
  for (const c of [...rows].sort((a, b) => Number(a.id) - Number(b.id))) {
    if (!customers.has(Number(c.id))) {
      customers.set(Number(c.id), { id: Number(c.id), name: c.name, lat: Number(c.lat), lng: Number(c.lng), status: c.status, poolId: Number(c.pool_id), ownerId: c.owner_id });
    }
  }
  const phones = rows.filter((r) => r.contact_id !== null).sort((a, b) => Number(a.contact_id) - Number(b.contact_id));
  return new DuplicateIndex(
    customers.values(),
    phones.map((p) => ({ customerId: Number(p.id), phone: p.phone })),
  );
}

/**
 * Makes the tenant's customer creations (a single one, an import's batch) take turns until the caller's transaction
 * ends, so two that would duplicate each other cannot both pass the duplicate check (撞单): on MySQL by locking the
 * tenant row; SQLite runs one write transaction at a time already (one connection, serialised by the driver).
 */
export async function lockTenantCustomerCreation(trx: Db, tenantId: string): Promise<void> {
  if (isMysql(trx)) await trx.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().execute();
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
