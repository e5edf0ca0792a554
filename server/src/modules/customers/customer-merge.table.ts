import type { Generated } from 'kysely';

/** One merge of two records of one customer; chained in the evidence chain as a `merge` entry (ref_id = id). */
export interface CustomerMergesTable {
  id: Generated<number>;
  tenant_id: string;
  /** The record merged away (deleted); its visits and photos now carry `into_id`. */
  merged_id: number;
  into_id: number;
  merged_name: string;
  actor_id: string;
  at: number;
}
