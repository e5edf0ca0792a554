import Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps, AppState } from '../../context';
import { notFound } from '../../errors';
import { parse } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { findDepartment, setDepartmentRegion } from './department-admin.repository';

/** `PUT /api/v1/admin/departments/:id`: whether the department is a region (the dashboard groups pools by it). */
export const departmentBody = z.object({
  region: z.boolean({ error: 'region 必须是 true（设为大区）或 false（取消大区）' }),
});

/**
 * Department settings that are ours rather than the platform's (the org sync never overwrites them): today the region
 * flag. Admin only; an unknown department is a 404.
 */
export function departmentAdminRoutes(deps: AppDeps): Router<AppState> {
  const { db, clock } = deps;
  const router = new Router<AppState>();

  router.put('/api/v1/admin/departments/:id', requireRole('admin'), async (ctx) => {
    const { tenantId } = ctx.state.actor!;
    const departmentId = ctx.params.id ?? '';
    const body = parse(departmentBody, ctx.request.body);
    if (!(await setDepartmentRegion(db, tenantId, departmentId, body.region, clock.now()))) throw notFound('部门');
    ctx.body = { department: await findDepartment(db, tenantId, departmentId) };
  });

  return router;
}
