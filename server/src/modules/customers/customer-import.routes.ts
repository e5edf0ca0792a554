import Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps, AppState } from '../../context';
import { readUpload } from '../../http/multipart';
import { parse, queryNumber } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { exportCustomers } from './export/customer-export.service';
import { geocoderForTenant } from './import/import-geocoder';
import { importCustomers } from './import/import.service';

/** A spreadsheet of ~100k customers fits; a bigger one should be split. */
export const MAX_SHEET_BYTES = 20 * 1024 * 1024;

const importFields = z.object({
  poolId: queryNumber(z.number({ message: '请选择要导入的公海（poolId）' }).int().positive()),
  dryRun: z
    .enum(['true', 'false', '1', '0'], { message: 'dryRun 只能是 true 或 false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
});

const exportQuery = z.object({
  poolId: queryNumber(z.number().int().positive().optional()),
  status: z.enum(['pool', 'owned'], { message: 'status 只能是 pool 或 owned' }).optional(),
  ownerId: z.string().trim().min(1).max(64).optional(),
});

/**
 * Customer import and export for admins (issue 19 item 3): `POST /api/v1/admin/customers/import` (multipart `file`,
 * fields `poolId`, `dryRun`) and `GET /api/v1/admin/customers/export.xlsx?poolId=&status=&ownerId=`.
 */
export function customerImportRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();

  router.post('/api/v1/admin/customers/import', requireRole('admin'), async (ctx) => {
    const actor = ctx.state.actor!;
    const upload = await readUpload(ctx, 'file', MAX_SHEET_BYTES, {
      what: '表格',
      tooLargeCode: 'sheet_too_large',
      tooLargeHint: '请把表格拆成几个文件分别导入',
      missingCode: 'file_missing',
    });
    const fields = parse(importFields, upload.fields);
    const geocoder = await geocoderForTenant(deps, actor.tenantId);
    ctx.body = await importCustomers(deps.db, deps.clock, geocoder, actor, { file: upload.file, filename: upload.filename, ...fields });
  });

  router.get('/api/v1/admin/customers/export.xlsx', requireRole('admin'), async (ctx) => {
    const filter = parse(exportQuery, ctx.query);
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    ctx.set('Content-Disposition', `attachment; filename="customers-${new Date(deps.clock.now()).toISOString().slice(0, 10)}.xlsx"`);
    ctx.body = exportCustomers(deps.db, ctx.state.actor!, filter, (e) => ctx.app.emit('error', e, ctx));
  });

  return router;
}
