import type { Generated } from 'kysely';

/** One change of a user's roles made by an admin; its presence marks the user's roles as set by hand (org sync keeps them). */
export interface RoleChangesTable {
  id: Generated<number>;
  tenant_id: string;
  user_id: string;
  /** The admin who made the change. */
  actor_id: string;
  /** Comma-separated, as `users.roles`. */
  before_roles: string;
  after_roles: string;
  changed_at: number;
}
