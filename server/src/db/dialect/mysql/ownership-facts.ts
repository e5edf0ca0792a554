import { CompiledQuery } from 'kysely';
import type { Db } from '../../create-db';
import type { FactRows, FactsItem } from '../ownership-facts';

const marks = (n: number) => new Array<string>(n).fill('?').join(', ');

/**
 * The facts of a batch of ownership changes on MySQL/MariaDB, read in ONE round trip (a multi-statement packet), under
 * the locks that make the decision safe: the receivers' user rows shared (a departure waits for the batch and then finds
 * what it gave them), the customers exclusive (ascending id, as InnoDB walks the IN list), the receivers' counter rows of
 * the day upserted (so locked, in key order), and what the receivers own, read under those locks. Lock order as
 * everywhere: user rows, customer rows, counter rows. `begin` starts the transaction in the same packet (the claim
 * batch); otherwise the caller is inside one. Raw SQL because the packet is the point: Kysely sends one statement each.
 */
export async function readOwnershipFacts(conn: Db, tenantId: string, day: string, items: FactsItem[], options: { begin: boolean }): Promise<FactRows> {
  const ids = [...new Set(items.map((c) => c.customerId))];
  const users = [...new Set(items.flatMap((c) => (c.userId === null ? [] : [c.userId])))];
  const pairs = items.filter((c) => c.userId !== null);
  const statements: [string, unknown[]][] = [];
  if (options.begin) statements.push(['start transaction', []]);
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
  const sets = await sendPacket(conn, statements);
  const at = options.begin ? 1 : 0;
  return {
    users: sets[at]!,
    customers: sets[at + 1]!,
    pools: sets[at + 2]!,
    members: users.length ? sets[at + 3]! : [],
    counters: users.length ? sets[at + 5]! : [],
    holdings: users.length ? sets[at + 6]! : [],
  };
}

/**
 * The facts of a customer about to be created by `userId` in `poolId`, in the caller's transaction and ONE round trip:
 * the creator's user row shared, their counter row of the day upserted when they belong to the pool (so two creations,
 * or a creation and a claim, of one rep in one pool take turns, as two claims do), then what they own, read under it.
 */
export async function readCreationFacts(conn: Db, tenantId: string, day: string, userId: string, poolId: number): Promise<FactRows> {
  const sets = await sendPacket(conn, [
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

/** Sends statements as one multi-statement packet; the rows of each, in order. */
async function sendPacket(conn: Db, statements: [string, unknown[]][]): Promise<Record<string, unknown>[][]> {
  const result = (await conn.executeQuery(CompiledQuery.raw(statements.map(([s]) => s).join(';\n'), statements.flatMap(([, p]) => p)))).rows as unknown;
  // One statement answers with its rows; a packet with an array per statement.
  return (statements.length === 1 ? [result] : (result as unknown[])) as Record<string, unknown>[][];
}
