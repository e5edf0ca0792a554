import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { AppError } from '../../../errors';

/** The columns of the import (and the first ones of the export), by their Chinese headers. */
export const IMPORT_COLUMNS = ['客户名称', '地址', '纬度', '经度', '坐标系', '级别', '标签', '联系人', '职务', '电话', '负责人'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** One data row as the user sees it: its row number in the sheet (the header is row 1) and its cells by column. */
export interface SheetRow {
  row: number;
  cells: Partial<Record<ImportColumn, string>>;
}

const known = new Set<string>(IMPORT_COLUMNS);

/** The text of an ExcelJS cell value: numbers and dates as written, rich text and links by their text, formulas by their result. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return String(value).trim();
  if ('richText' in value) return value.richText.map((r) => r.text).join('').trim();
  if ('text' in value) return cellText(value.text as ExcelJS.CellValue);
  if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
  return '';
}

/** Maps header cells (1-based positions) to known columns; unknown headers are ignored, 客户名称 is required. */
function headerMap(headers: string[]): Map<number, ImportColumn> {
  const map = new Map<number, ImportColumn>();
  headers.forEach((h, i) => {
    const name = h.trim();
    if (known.has(name) && ![...map.values()].includes(name as ImportColumn)) map.set(i, name as ImportColumn);
  });
  if (![...map.values()].includes('客户名称')) {
    throw new AppError(400, 'import_header_missing', `表格第 1 行没有「客户名称」列：请使用导入模板，第一行依次为 ${IMPORT_COLUMNS.join('、')}。`);
  }
  return map;
}

function toRows(lines: Iterable<{ row: number; values: string[] }>): SheetRow[] {
  let columns: Map<number, ImportColumn> | undefined;
  const rows: SheetRow[] = [];
  for (const line of lines) {
    if (!columns) {
      columns = headerMap(line.values);
      continue;
    }
    const cells: SheetRow['cells'] = {};
    let any = false;
    for (const [i, column] of columns) {
      const v = (line.values[i] ?? '').trim();
      if (v !== '') {
        cells[column] = v;
        any = true;
      }
    }
    // Blank lines (often left at the end of a sheet) are not rows.
    if (any) rows.push({ row: line.row, cells });
  }
  if (!columns) throw new AppError(400, 'import_empty', '表格是空的：第 1 行应为列名，从第 2 行起每行一个客户。');
  return rows;
}

/** Reads the first worksheet of an .xlsx with ExcelJS's streaming reader. */
async function xlsxLines(file: Buffer): Promise<{ row: number; values: string[] }[]> {
  const lines: { row: number; values: string[] }[] = [];
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(file), { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        // row.values is 1-based (index 0 unused).
        const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText);
        lines.push({ row: row.number, values });
      }
      break;
    }
  } catch {
    throw new AppError(400, 'import_unreadable', '无法读取这个 .xlsx 文件（文件损坏或不是 Excel 表格）：请在 Excel 或 WPS 中另存为 .xlsx 后重试。');
  }
  return lines;
}

/** The text of a CSV file: UTF-8 (with or without BOM) when it is valid UTF-8, else GBK (what Excel saves on Chinese Windows). */
export function decodeCsv(file: Buffer): string {
  const body = file[0] === 0xef && file[1] === 0xbb && file[2] === 0xbf ? file.subarray(3) : file;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return iconv.decode(body, 'gbk');
  }
}

/** RFC 4180 lines: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF. Rows are numbered by record. */
export function csvLines(text: string): { row: number; values: string[] }[] {
  const lines: { row: number; values: string[] }[] = [];
  let values: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endRecord = () => {
    values.push(field);
    lines.push({ row: lines.length + 1, values });
    values = [];
    field = '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      values.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      endRecord();
      if (ch === '\r' && text[i + 1] === '\n') i++;
    } else field += ch;
    i++;
  }
  if (field !== '' || values.length > 0) endRecord();
  return lines;
}

/**
 * The rows of an uploaded customer sheet, `.xlsx` or `.csv` (by file name, else by content: an .xlsx is a zip). A sheet
 * without a 客户名称 header is a 400; other unknown columns (e.g. the export's 状态) are ignored.
 */
export async function readCustomerSheet(file: Buffer, filename: string): Promise<SheetRow[]> {
  const lower = filename.toLowerCase();
  const zip = file[0] === 0x50 && file[1] === 0x4b;
  if (lower.endsWith('.xlsx') || (!lower.endsWith('.csv') && zip)) return toRows(await xlsxLines(file));
  if (lower.endsWith('.csv') || lower === '' || !zip) {
    if (lower.endsWith('.xls')) {
      throw new AppError(415, 'import_format', '不支持旧版 .xls 文件：请在 Excel 或 WPS 中另存为 .xlsx 或 .csv 后重试。');
    }
    return toRows(csvLines(decodeCsv(file)));
  }
  throw new AppError(415, 'import_format', '只支持 .xlsx 或 .csv 文件：请另存为其中一种格式后重试。');
}
