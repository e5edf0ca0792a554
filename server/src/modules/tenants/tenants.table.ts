export interface TenantsTable {
  id: string;
  name: string;
  platform: 'dingtalk' | 'wecom';
  corp_id: string;
  app_key: string;
  app_secret_enc: string;
  agent_id: string;
  callback_token_enc: string | null;
  callback_aes_key_enc: string | null;
  time_zone: string;
  /** JSON of TenantSettings. */
  settings: string;
  created_at: number;
}
