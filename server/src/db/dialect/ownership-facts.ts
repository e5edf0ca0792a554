import { isMysql, type Db } from '../create-db';
import * as mysql from './mysql/ownership-facts';
import * as sqlite from './sqlite/ownership-facts';

/** One change to read facts for: the customer, and who would receive it (null: nobody, it goes to a pool). */
export interface FactsItem {
  customerId: number;
  userId: string | null;
}

/** The rows a facts read returns, the same on both dialects (pool/ownership-facts.ts reads them). */
export interface FactRows {
  users: Record<string, unknown>[];
  customers: Record<string, unknown>[];
  pools: Record<string, unknown>[];
  members: Record<string, unknown>[];
  counters: Record<string, unknown>[];
  holdings: Record<string, unknown>[];
}

/** The dialect's reader (db/dialect/<dialect>/ownership-facts.ts: the same file set for both). */
export function readOwnershipFacts(db: Db, tenantId: string, day: string, items: FactsItem[]): Promise<FactRows> {
  return (isMysql(db) ? mysql : sqlite).readOwnershipFacts(db, tenantId, day, items);
}

/** The dialect's reader of a creation's facts: the creator as the receiver of a customer not yet in `poolId`. */
export function readCreationFacts(db: Db, tenantId: string, day: string, userId: string, poolId: number): Promise<FactRows> {
  return (isMysql(db) ? mysql : sqlite).readCreationFacts(db, tenantId, day, userId, poolId);
}
