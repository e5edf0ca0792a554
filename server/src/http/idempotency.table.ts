export interface IdempotencyKeysTable {
  tenant_id: string;
  user_id: string;
  idem_key: string;
  request_hash: string;
  status_code: number | null;
  response_body: string | null;
  created_at: number;
}
