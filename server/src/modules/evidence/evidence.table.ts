/** `review`: a manager's or an admin's decision on a suspect visit (issue 19 item 7). */
export type EvidenceKind = 'check_in' | 'photo' | 'finish' | 'review';

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
