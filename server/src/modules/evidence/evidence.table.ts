/**
 * `review`: a manager's or an admin's decision on a suspect visit (issue 19 item 7). `merge`: two customer records
 * merged (ref_id: the `customer_merges` row), which lets entries signing the merged id verify against the survivor.
 */
export type EvidenceKind = 'check_in' | 'photo' | 'finish' | 'review' | 'merge';

export interface EvidenceTipsTable {
  tenant_id: string;
  seq: number;
  hash: string;
}

export interface EvidenceChainTable {
  tenant_id: string;
  seq: number;
  kind: EvidenceKind;
  ref_id: number;
  payload: string;
  prev_hash: string;
  hash: string;
  hmac: string;
  created_at: number;
}

export interface EvidenceHeadsTable {
  tenant_id: string;
  day: string;
  seq: number;
  hash: string;
  recorded_at: number;
}
