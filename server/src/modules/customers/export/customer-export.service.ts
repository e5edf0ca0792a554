import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Actor } from '../../../context';
import type { Db } from '../../../db/create-db';
import { formatLocal } from '../../../time';
import { userNames } from '../../org/org.repository';
import { customersPageForExport, firstContactsOf } from '../customers.repository';
import { customerDtos } from '../customers.service';
import { IMPORT_COLUMNS } from '../import/customer-sheet';

/** The export's columns: the import's (so the file imports back), then what only the system knows. */
export const EXPORT_COLUMNS = [...IMPORT_COLUMNS, '状态', '负责人姓名', '最近有效拜访', '回收到期'] as const;

const PAGE = 1000;

export interface ExportFilter {
  poolId?: number;
  status?: 'pool' | 'owned';
  ownerId?: string;
}

/**
 * Streams the tenant's customers (filtered) as an .xlsx into a stream the route answers with: ExcelJS's streaming
 * writer, a page of PAGE customers at a time, so memory stays flat however many there are. An error after the first
 * byte destroys the stream (the client sees a cut download, never a half file that looks whole).
 */
export function exportCustomers(db: Db, actor: Actor, filter: ExportFilter, onError: (e: unknown) => void): PassThrough {
  const out = new PassThrough();
  const write = async () => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
    const sheet = workbook.addWorksheet('客户');
    sheet.addRow([...EXPORT_COLUMNS]).commit();
    let afterId = 0;
    for (;;) {
      const rows = await customersPageForExport(db, { tenantId: actor.tenantId, ...filter, afterId, limit: PAGE });
      if (rows.length === 0) break;
      const ids = rows.map((r) => r.id);
      const [dtos, contacts, names] = await Promise.all([
        customerDtos(db, actor, rows),
        firstContactsOf(db, actor.tenantId, ids),
        userNames(db, actor.tenantId, rows.flatMap((r) => (r.owner_id ? [r.owner_id] : []))),
      ]);
      rows.forEach((r, i) => {
        const contact = contacts.get(r.id);
        const due = dtos[i]!.reclaim?.dueDate;
        sheet
          .addRow([
            r.name,
            r.address,
            r.lat,
            r.lng,
            'gcj02',
            r.level,
            (JSON.parse(r.tags) as string[]).join(';'),
            contact?.name ?? '',
            contact?.title ?? '',
            contact?.phone ?? '',
            r.owner_id ?? '',
            r.status === 'owned' ? '已领取' : '公海',
            r.owner_id ? (names.get(r.owner_id) ?? '') : '',
            r.last_verified_visit_at === null ? '' : formatLocal(r.last_verified_visit_at, actor.timeZone),
            due ? formatLocal(Date.parse(due), actor.timeZone) : '',
          ])
          .commit();
      });
      afterId = rows[rows.length - 1]!.id;
      if (rows.length < PAGE) break;
    }
    sheet.commit();
    await workbook.commit();
  };
  write().catch((e: unknown) => {
    onError(e);
    out.destroy(e instanceof Error ? e : new Error(String(e)));
  });
  return out;
}
