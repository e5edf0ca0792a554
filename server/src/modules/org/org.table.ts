export interface DepartmentsTable {
  tenant_id: string;
  id: string;
  parent_id: string | null;
  name: string;
  is_region: number;
  path: string;
  updated_at: number;
}

export interface UsersTable {
  tenant_id: string;
  id: string;
  name: string;
  mobile: string | null;
  title: string | null;
  manager_id: string | null;
  hired_date: string | null;
  active: number;
  left_at: number | null;
  roles: string;
  created_at: number;
  updated_at: number;
}

export interface UserDepartmentsTable {
  tenant_id: string;
  user_id: string;
  department_id: string;
  is_leader: number;
}
