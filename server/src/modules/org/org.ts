export type Role = 'rep' | 'manager' | 'hr' | 'admin';

export interface User {
  id: string;
  name: string;
  roles: Role[];
  active: boolean;
  departmentIds: string[];
  /** Departments this user leads (their management scope is these subtrees). */
  leaderOf: string[];
  managerId: string | null;
}
