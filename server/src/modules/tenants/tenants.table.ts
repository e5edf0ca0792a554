import type { Generated } from 'kysely';

/** A real company, or one of the demo's tenants (DESIGN §11: never both in one database). */
export type TenantKind = 'production' | 'demo';

export interface TenantsTable {
  id: string;
  /** Defaults to production: a row that does not say is treated as a real company. */
  kind: Generated<TenantKind>;
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
