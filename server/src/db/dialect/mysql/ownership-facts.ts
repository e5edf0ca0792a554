import { CompiledQuery } from 'kysely';
import type { Db } from '../../create-db';
import type { FactRows, FactsItem } from '../ownership-facts';

const marks = (n: number) => new Array<string>(n).fill('?').join(', ');

/**
 * The facts of a batch of ownership changes on MySQL/MariaDB, inside the caller's transaction, under the locks that
 * make the decision safe: the receivers' user rows shared (a departure waits for the batch and then finds
 * what it gave them), the customers exclusive (ascending id, as InnoDB walks the IN list), the receivers' counter rows of
 * the day upserted (so locked, in key order), and what the receivers own, read under those locks. Lock order as
 * everywhere: user rows, customer rows, counter rows.
 */
export async function readOwnershipFacts(conn: Db, tenantId: string, day: string, items: FactsItem[]): Promise<FactRows> {
  const ids = [...new Set(items.map((c) => c.customerId))];
  const users = [...new Set(items.flatMap((c) => (c.userId === null ? [] : [c.userId])))];
  const pairs = items.filter((c) => c.userId !== null);
  const statements: [string, unknown[]][] = [];
  statements.push([users.length ? `select id, name, active from users where tenant_id = ? and id in (${marks(users.length)}) lock in share mode` : 'select 1 from dual where false', users.length ? [tenantId, ...users] : []]);
  statements.push([`select * from customers where tenant_id = ? and id in (${marks(ids.length)}) for update`, [tenantId, ...ids]]);
  statements.push([`select * from pools where tenant_id = ? and id in (select pool_id from customers where tenant_id = ? and id in (${marks(ids.length)}))`, [tenantId, tenantId, ...ids]]);
  if (users.length) {
    statements.push([`select pool_id, user_id from pool_members where tenant_id = ? and user_id in (${marks(users.length)})`, [tenantId, ...users]]);
    statements.push([
      `insert into claim_counters (tenant_id, user_id, pool_id, day, claims)
         select c.tenant_id, pm.user_id, c.pool_id, ?, 0
         from customers c inner join pool_members pm on pm.tenant_id = c.tenant_id and pm.pool_id = c.pool_id
         where c.tenant_id = ? and c.id in (${marks(ids.length)}) and pm.user_id in (${marks(users.length)}) and (c.id, pm.user_id) in (${pairs.map(() => '(?, ?)').join(', ')})
         order by pm.user_id, c.pool_id
       on duplicate key update claims = claims`,
      [day, tenantId, ...ids, ...users, ...pairs.flatMap((c) => [c.customerId, c.userId])],
    ]);
    statements.push(...holdingStatements(tenantId, day, users));
  }
  const sets = await runInTurn(conn, statements);
  return {
    users: sets[0]!,
    customers: sets[1]!,
    pools: sets[2]!,
    members: users.length ? sets[3]! : [],
    counters: users.length ? sets[5]! : [],
    holdings: users.length ? sets[6]! : [],
  };
}

/**
 * The facts of a customer about to be created by `userId` in `poolId`, in the caller's transaction:
 * the creator's user row shared, their counter row of the day upserted when they belong to the pool (so two creations,
 * or a creation and a claim, of one rep in one pool take turns, as two claims do), then what they own, read under it.
 */
export async function readCreationFacts(conn: Db, tenantId: string, day: string, userId: string, poolId: number): Promise<FactRows> {
  const sets = await runInTurn(conn, [
    ['select id, name, active from users where tenant_id = ? and id = ? lock in share mode', [tenantId, userId]],
    ['select * from pools where tenant_id = ? and id = ?', [tenantId, poolId]],
    ['select pool_id, user_id from pool_members where tenant_id = ? and user_id = ?', [tenantId, userId]],
    [
      `insert into claim_counters (tenant_id, user_id, pool_id, day, claims)
         select tenant_id, user_id, pool_id, ?, 0 from pool_members where tenant_id = ? and user_id = ? and pool_id = ?
       on duplicate key update claims = claims`,
      [day, tenantId, userId, poolId],
    ],
    ...holdingStatements(tenantId, day, [userId]),
  ]);
  return { users: sets[0]!, customers: [], pools: sets[1]!, members: sets[2]!, counters: sets[4]!, holdings: sets[5]! };
}

/** What the receivers hold: their counter rows of the day and their customers per pool and level (read after the locks). */
function holdingStatements(tenantId: string, day: string, users: string[]): [string, unknown[]][] {
  return [
    [`select user_id, pool_id, claims from claim_counters where tenant_id = ? and user_id in (${marks(users.length)}) and day = ?`, [tenantId, ...users, day]],
    [
      `select owner_id, pool_id, level, count(*) as n, coalesce(sum(last_deal_won_at is null), 0) as open
       from customers where tenant_id = ? and owner_id in (${marks(users.length)}) group by owner_id, pool_id, level`,
      [tenantId, ...users],
    ],
  ];
}

/**
 * Runs the statements one round trip each, in order; the rows of each. Never as one multi-statement packet: Galera can
 * abort the transaction under a packet's INSERT and still answer OK for the rest, run outside it (DESIGN §10). Reads
 * alone would be safe in a packet, but this one holds the counter upsert, so it is sent like every write.
 */
async function runInTurn(conn: Db, statements: [string, unknown[]][]): Promise<Record<string, unknown>[][]> {
  const sets: Record<string, unknown>[][] = [];
  for (const [text, parameters] of statements) sets.push((await conn.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, parameters))).rows as Record<string, unknown>[]);
  return sets;
}
