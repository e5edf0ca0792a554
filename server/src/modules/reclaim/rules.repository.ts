import type { Db } from '../../db/create-db';
import type { ClockRule } from './clocks';

/** Enabled and disabled rules of the given pools, keyed by pool id. */
export async function rulesByPool(db: Db, tenantId: string, poolIds: number[]): Promise<Map<number, ClockRule[]>> {
  const out = new Map<number, ClockRule[]>();
  const unique = [...new Set(poolIds)];
  if (unique.length === 0) return out;
  const rows = await db
    .selectFrom('pool_rules')
    .select(['id', 'pool_id', 'kind', 'days', 'enabled', 'levels', 'tags', 'exempt_won_customers'])
    .where('tenant_id', '=', tenantId)
    .where('pool_id', 'in', unique)
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.pool_id) ?? [];
    list.push({
      id: r.id,
      kind: r.kind,
      days: r.days,
      enabled: r.enabled === 1,
      levels: JSON.parse(r.levels) as string[],
      tags: JSON.parse(r.tags) as string[],
      exemptWonCustomers: r.exempt_won_customers === 1,
    });
    out.set(r.pool_id, list);
  }
  return out;
}
