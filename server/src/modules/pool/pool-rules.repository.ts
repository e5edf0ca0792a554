import type { Db } from '../../db/create-db';
import type { ClockRule } from '../reclaim/clocks';
import { toSweepRule, workCalendar } from '../reclaim/reclaim.repository';
import type { WorkCalendar } from '../reclaim/work-calendar';

/** How long a pool's rules are reused for showing countdowns; rule changes call invalidateRules. */
const RULES_TTL_MS = 30_000;
const cache = new WeakMap<Db, Map<string, { rules: ClockRule[]; at: number }>>();

/** Forgets the cached rules of a tenant (after an admin changes them). */
export function invalidateRules(db: Db, tenantId: string): void {
  calendars.get(db)?.delete(tenantId);
  const entries = cache.get(db);
  for (const key of entries?.keys() ?? []) if (key.startsWith(`${tenantId}\u0000`)) entries!.delete(key);
}

/**
 * Rules of the given pools, keyed by pool id, for showing reclaim countdowns. Read through a short per-process cache:
 * listing and claiming show countdowns on every answer, and rules change rarely. The sweep reads rules itself.
 */
export async function rulesByPool(db: Db, tenantId: string, poolIds: number[]): Promise<Map<number, ClockRule[]>> {
  const out = new Map<number, ClockRule[]>();
  const unique = [...new Set(poolIds)];
  if (unique.length === 0) return out;
  const now = Date.now();
  let entries = cache.get(db);
  if (!entries) cache.set(db, (entries = new Map()));
  const missing: number[] = [];
  for (const poolId of unique) {
    const hit = entries.get(`${tenantId}\u0000${poolId}`);
    if (hit && now - hit.at < RULES_TTL_MS) out.set(poolId, hit.rules);
    else missing.push(poolId);
  }
  if (missing.length === 0) return out;
  const fresh = await readRules(db, tenantId, missing);
  for (const poolId of missing) {
    const rules = fresh.get(poolId) ?? [];
    entries.set(`${tenantId}\u0000${poolId}`, { rules, at: now });
    out.set(poolId, rules);
  }
  return out;
}

async function readRules(db: Db, tenantId: string, unique: number[]): Promise<Map<number, ClockRule[]>> {
  const out = new Map<number, ClockRule[]>();
  const rows = await db.selectFrom('pool_rules').selectAll().where('tenant_id', '=', tenantId).where('pool_id', 'in', unique).orderBy('id').execute();
  for (const r of rows) out.set(r.pool_id, [...(out.get(r.pool_id) ?? []), toSweepRule(r)]);
  return out;
}

const calendars = new WeakMap<Db, Map<string, { calendar: WorkCalendar; at: number }>>();

/** The tenant's work calendar for countdowns, through the same short cache as the rules. */
export async function cachedCalendar(db: Db, tenantId: string): Promise<WorkCalendar> {
  let entries = calendars.get(db);
  if (!entries) calendars.set(db, (entries = new Map()));
  const hit = entries.get(tenantId);
  if (hit && Date.now() - hit.at < RULES_TTL_MS) return hit.calendar;
  const calendar = await workCalendar(db, tenantId);
  entries.set(tenantId, { calendar, at: Date.now() });
  return calendar;
}
