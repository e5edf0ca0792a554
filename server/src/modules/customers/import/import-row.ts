import type { CoordSystem } from '../../../geo/geo';
import { customerLevels } from '../customers';
import type { ImportColumn, SheetRow } from './customer-sheet';

/** A problem with one cell, as the report lists it (row numbers as the user sees them: the header is row 1). */
export interface RowError {
  row: number;
  column: ImportColumn | null;
  message: string;
}

/** A row whose cells are all valid; coordinates may still be missing (then the address is geocoded). */
export interface ImportRow {
  row: number;
  name: string;
  address: string;
  /** As written, in `coord`; null when the sheet gives none. */
  point: { lat: number; lng: number; coord: CoordSystem } | null;
  level: string;
  tags: string[];
  contact: { name: string; title: string | null; phone: string | null } | null;
  /** The 负责人 cell as written (a user id or a name), or null for the pool. */
  owner: string | null;
}

const COORDS: Record<string, CoordSystem> = { gcj02: 'gcj02', wgs84: 'wgs84', bd09: 'bd09' };
const PHONE = /^[0-9+\-() ]{5,32}$/;

/** Checks one row's cells; answers the row or every problem it has. */
export function validateImportRow(r: SheetRow): { ok: true; row: ImportRow } | { ok: false; errors: RowError[] } {
  const errors: RowError[] = [];
  const err = (column: ImportColumn | null, message: string) => errors.push({ row: r.row, column, message });
  const c = r.cells;
  const name = c['客户名称'] ?? '';
  if (name === '') err('客户名称', '客户名称为空：每行都要填写客户名称。');
  else if (name.length > 200) err('客户名称', '客户名称超过 200 个字，请缩短。');
  const address = c['地址'] ?? '';
  if (address.length > 500) err('地址', '地址超过 500 个字，请缩短。');

  let point: ImportRow['point'] = null;
  const latText = c['纬度'];
  const lngText = c['经度'];
  const coordText = (c['坐标系'] ?? 'gcj02').toLowerCase();
  const coord = COORDS[coordText];
  if (!coord) err('坐标系', `坐标系「${c['坐标系']}」无法识别：请填写 gcj02（高德/腾讯）、wgs84（GPS）或 bd09（百度），留空即 gcj02。`);
  if (latText !== undefined || lngText !== undefined) {
    const lat = Number(latText);
    const lng = Number(lngText);
    if (latText === undefined || lngText === undefined) {
      err(latText === undefined ? '纬度' : '经度', '纬度和经度要同时填写；只知道地址时两列都留空，系统会按地址定位。');
    } else if (!Number.isFinite(lat) || lat < -90 || lat > 90) {
      err('纬度', `纬度「${latText}」不是 -90 到 90 之间的数字（例如 30.2741）。`);
    } else if (!Number.isFinite(lng) || lng < -180 || lng > 180) {
      err('经度', `经度「${lngText}」不是 -180 到 180 之间的数字（例如 120.1551）。`);
    } else if (coord) {
      point = { lat, lng, coord };
    }
  } else if (address === '') {
    err('地址', '地址和经纬度都为空：请至少填写地址，或填写纬度和经度。');
  }

  const level = (c['级别'] ?? 'C').toUpperCase();
  if (!(customerLevels as readonly string[]).includes(level)) err('级别', `级别「${c['级别']}」无效：请填写 ${customerLevels.join('/')}，留空即 C。`);
  const tags = [...new Set((c['标签'] ?? '').split(/[;；]/).map((t) => t.trim()).filter((t) => t !== ''))];
  if (tags.length > 20) err('标签', '标签最多 20 个。');
  if (tags.some((t) => t.length > 32)) err('标签', '每个标签最多 32 个字。');

  const phone = c['电话'] ?? null;
  if (phone !== null && !PHONE.test(phone)) err('电话', `电话「${phone}」格式不对：只能包含数字、+、-、括号和空格（5–32 位）。`);
  const contactName = c['联系人'] ?? null;
  if (contactName !== null && contactName.length > 64) err('联系人', '联系人超过 64 个字。');
  const title = c['职务'] ?? null;
  if (title !== null && title.length > 64) err('职务', '职务超过 64 个字。');
  const contact = contactName !== null || phone !== null ? { name: contactName ?? '联系人', title, phone } : null;

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, row: { row: r.row, name, address, point, level, tags, contact, owner: c['负责人'] ?? null } };
}
