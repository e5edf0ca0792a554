import type { Db } from '../../db/create-db';

/** How many customers a pool holds: unowned ones waiting in it, and owned ones that would go back to it. */
export interface PoolCustomerCounts {
  poolId: number;
  poolCustomers: number;
  ownedCustomers: number;
}

/**
 * The customers of each of the tenant's pools (archived ones included) by status, one row per pool that has any; the
 * 公海池 list shows them and archiving says how many would move.
 */
export async function poolCustomerCounts(db: Db, tenantId: string): Promise<PoolCustomerCounts[]> {
  const rows = await db
    .selectFrom('customers')
    .select(['pool_id', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('tenant_id', '=', tenantId)
    .groupBy(['pool_id', 'status'])
    .orderBy('pool_id')
    .execute();
  const byPool = new Map<number, PoolCustomerCounts>();
  for (const r of rows) {
    const counts = byPool.get(r.pool_id) ?? { poolId: r.pool_id, poolCustomers: 0, ownedCustomers: 0 };
    if (r.status === 'pool') counts.poolCustomers = Number(r.n);
    else counts.ownedCustomers = Number(r.n);
    byPool.set(r.pool_id, counts);
  }
  return [...byPool.values()];
}
