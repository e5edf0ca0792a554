import type { Db } from '../../create-db';
import type { FactRows, FactsItem } from '../ownership-facts';

/**
 * The facts of a batch of ownership changes on SQLite: the same rows as the MySQL reader, one Kysely statement each,
 * inside the caller's transaction (SQLite has one writer at a time, so the transaction is the lock).
 */
export async function readOwnershipFacts(trx: Db, tenantId: string, day: string, items: FactsItem[]): Promise<FactRows> {
  const ids = [...new Set(items.map((c) => c.customerId))];
  const users = [...new Set(items.flatMap((c) => (c.userId === null ? [] : [c.userId])))];
  const customers = await trx.selectFrom('customers').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  const poolIds = [...new Set(customers.map((c) => c.pool_id))];
  const pools = poolIds.length ? await trx.selectFrom('pools').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', poolIds).execute() : [];
  if (users.length === 0) return { users: [], customers, pools, members: [], counters: [], holdings: [] };
  return { customers, pools, ...(await receiverRows(trx, tenantId, day, users)) };
}

/** The facts of a customer about to be created by `userId` in `poolId` (the transaction is the lock, as above). */
export async function readCreationFacts(trx: Db, tenantId: string, day: string, userId: string, poolId: number): Promise<FactRows> {
  const pools = await trx.selectFrom('pools').selectAll().where('tenant_id', '=', tenantId).where('id', '=', poolId).execute();
  return { customers: [], pools, ...(await receiverRows(trx, tenantId, day, [userId])) };
}

/** The receivers' user rows, memberships, counter rows of the day and holdings per pool and level. */
async function receiverRows(trx: Db, tenantId: string, day: string, users: string[]): Promise<Omit<FactRows, 'customers' | 'pools'>> {
  const [userRows, members, counters, holdings] = await Promise.all([
    trx.selectFrom('users').select(['id', 'name', 'active']).where('tenant_id', '=', tenantId).where('id', 'in', users).execute(),
    trx.selectFrom('pool_members').select(['pool_id', 'user_id']).where('tenant_id', '=', tenantId).where('user_id', 'in', users).execute(),
    trx.selectFrom('claim_counters').select(['user_id', 'pool_id', 'claims']).where('tenant_id', '=', tenantId).where('user_id', 'in', users).where('day', '=', day).execute(),
    trx
      .selectFrom('customers')
      .select((eb) => [
        'owner_id',
        'pool_id',
        'level',
        eb.fn.countAll<number>().as('n'),
        eb.fn.coalesce(eb.fn.sum<number>(eb.case().when('last_deal_won_at', 'is', null).then(1).else(0).end()), eb.lit(0)).as('open'),
      ])
      .where('tenant_id', '=', tenantId)
      .where('owner_id', 'in', users)
      .groupBy(['owner_id', 'pool_id', 'level'])
      .execute(),
  ]);
  return { users: userRows, members, counters, holdings } as Omit<FactRows, 'customers' | 'pools'>;
}
