import Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps, AppState } from '../../context';
import { notFound } from '../../errors';
import { parse } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { findDepartment, listDepartmentTree, setDepartmentRegion } from './department-admin.repository';

/** `PUT /api/v1/admin/departments/:id`: whether the department is a region (the dashboard groups pools by it). */
export const departmentBody = z.object({
  region: z.boolean({ error: 'region 必须是 true（设为大区）或 false（取消大区）' }),
});

/**
 * The department tree as the org sync brought it (`GET /api/v1/admin/departments` → `{items}`, parents first, for the
 * 组织与角色 and 公海池 pages), and the settings of a department that are ours rather than the platform's (the org sync
 * never overwrites them): today the region flag. Admin only; an unknown department is a 404.
 */
export function departmentAdminRoutes(deps: AppDeps): Router<AppState> {
  const { db, clock } = deps;
  const router = new Router<AppState>();

  router.get('/api/v1/admin/departments', requireRole('admin'), async (ctx) => {
    ctx.body = { items: await listDepartmentTree(db, ctx.state.actor!.tenantId) };
  });

  router.put('/api/v1/admin/departments/:id', requireRole('admin'), async (ctx) => {
    const { tenantId } = ctx.state.actor!;
    const departmentId = ctx.params.id ?? '';
    const body = parse(departmentBody, ctx.request.body);
    if (!(await setDepartmentRegion(db, tenantId, departmentId, body.region, clock.now()))) throw notFound('部门');
    ctx.body = { department: await findDepartment(db, tenantId, departmentId) };
  });

  return router;
}
