import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { dialects } from '../../../../../test/databases';
import { poolIdByName } from '../../../../../test/factories';
import { startHarness, type Harness } from '../../../../../test/harness';
import { IMPORT_COLUMNS } from '../customer-sheet';

const T = 'demo-dingtalk';

/** An .xlsx written by ExcelJS itself, header first. */
async function xlsx(rows: (string | number | null)[][], header: readonly string[] = IMPORT_COLUMNS): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('客户');
  ws.addRow([...header]);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe.each(dialects)('customer import and export on %s', (dialect) => {
  let h: Harness;
  let admin: string;
  let rep: string;
  let east: number;
  beforeAll(async () => {
    h = await startHarness(dialect);
    admin = await h.tokenFor(T, 'admin01');
    rep = await h.tokenFor(T, 'rep01');
    east = await poolIdByName(h.db, T, '华东公海');
  });
  afterAll(() => h.close());

  const upload = async (token: string, file: Buffer, filename: string, fields: Record<string, string>) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(file)]), filename);
    const res = await fetch(`${h.baseUrl}/api/v1/admin/customers/import`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    return { status: res.status, body: (await res.json()) as any };
  };
  const countCustomers = async () => Number((await h.db.selectFrom('customers').select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', T).executeTakeFirstOrThrow()).n);

  it('imports an .xlsx: good rows, duplicates, bad coordinates, unknown owner, geocoded and unplaceable addresses; the dry run reports the real run', async () => {
    const existing = await h.db.selectFrom('customers').select(['id', 'name', 'lat', 'lng']).where('tenant_id', '=', T).orderBy('id').executeTakeFirstOrThrow();
    // 客户名称, 地址, 纬度, 经度, 坐标系, 级别, 标签, 联系人, 职务, 电话, 负责人
    const file = await xlsx([
      ['导入甲商贸有限公司', '上海市黄浦区南京东路 1 号', 31.2351, 121.4846, null, 'A', '重点;连锁', '赵一', '店长', '13811110001', null], // 2: into the pool
      ['导入乙贸易', '上海市黄浦区南京东路 2 号', 31.2361, 121.4856, 'gcj02', 'B', null, '钱二', null, '13811110002', '张伟'], // 3: to rep01 by name
      ['导入丙', '上海市黄浦区南京东路 3 号', 31.2371, 121.4866, null, null, null, null, null, null, 'rep01'], // 4: to rep01 by id
      [existing.name, '随便', Number(existing.lat), Number(existing.lng), null, null, null, null, null, null, null], // 5: duplicate (place)
      ['导入丁', '上海市', 'abc', 121.4, null, null, null, null, null, null, null], // 6: bad latitude
      ['导入戊', '上海市黄浦区', 31.23, 121.47, null, null, null, null, null, null, '查无此人'], // 7: unknown owner
      ['导入己', '杭州市西湖区文三路 100 号', null, null, null, 'C', null, null, null, null, null], // 8: geocoded by the sandbox
      ['导入庚', '未知星球某某路 1 号', null, null, null, null, null, null, null, null, null], // 9: cannot be placed
      ['导入甲商贸', '上海市黄浦区南京东路 1 号', 31.2351, 121.4846, null, null, null, null, null, null, null], // 10: duplicate of row 2
      ['导入辛', '上海市黄浦区', 31.3, 121.5, null, null, null, '孙', null, '+86 138-1111-0002', null], // 11: same phone as row 3
      ['导入壬', '广州市天河区', 23.13, 113.36, 'wgs84', 'Z', null, null, null, null, null], // 12: bad level
    ]);
    const before = await countCustomers();
    const dry = await upload(admin, file, '客户.xlsx', { poolId: String(east), dryRun: 'true' });
    expect(dry.status).toBe(200);
    expect(await countCustomers()).toBe(before);
    const expected = {
      rows: 11,
      created: 4,
      updated: 0,
      skipped: 7,
      geocoded: 1,
      duplicates: [
        { row: 5, existingId: existing.id, sameAsRow: null, reason: 'place' },
        { row: 10, existingId: null, sameAsRow: 2, reason: 'place' },
        { row: 11, existingId: null, sameAsRow: 3, reason: 'phone' },
      ],
      errors: [
        { row: 6, column: '纬度', message: '纬度「abc」不是 -90 到 90 之间的数字（例如 30.2741）。' },
        { row: 7, column: '负责人', message: '找不到员工「查无此人」：请填写平台账号（userId）或姓名，或留空放入公海。' },
        { row: 9, column: '地址', message: '无法根据地址「未知星球某某路 1 号」定位：请写全省市区和门牌号，或直接填写纬度和经度。' },
        { row: 12, column: '级别', message: '级别「Z」无效：请填写 A/B/C/D，留空即 C。' },
      ],
    };
    expect(dry.body).toEqual({ dryRun: true, ...expected });

    const real = await upload(admin, file, '客户.xlsx', { poolId: String(east), dryRun: 'false' });
    expect(real.status).toBe(200);
    expect(real.body).toEqual({ dryRun: false, ...expected });
    expect(await countCustomers()).toBe(before + 4);

    const imported = await h.db
      .selectFrom('customers')
      .select(['id', 'name', 'status', 'owner_id', 'level', 'tags', 'pool_id', 'lat', 'lng'])
      .where('tenant_id', '=', T)
      .where('name', 'in', ['导入甲商贸有限公司', '导入乙贸易', '导入丙', '导入己'])
      .orderBy('id')
      .execute();
    expect(imported.map((c) => [c.name, c.status, c.owner_id, c.level, JSON.parse(c.tags), c.pool_id])).toEqual([
      ['导入甲商贸有限公司', 'pool', null, 'A', ['重点', '连锁'], east],
      ['导入乙贸易', 'owned', 'rep01', 'B', [], east],
      ['导入丙', 'owned', 'rep01', 'C', [], east],
      ['导入己', 'pool', null, 'C', [], east],
    ]);
    // The sandbox put 西湖区 within ~400 m of its centre.
    expect(Number(imported[3]!.lat)).toBeCloseTo(30.2594, 2);
    expect(Number(imported[3]!.lng)).toBeCloseTo(120.1302, 2);
    const ledger = await h.db
      .selectFrom('ownership_events')
      .select(['type', 'to_user_id', 'actor_id', 'reason'])
      .where('customer_id', '=', imported[1]!.id)
      .orderBy('id')
      .execute();
    expect(ledger).toEqual([
      { type: 'created', to_user_id: null, actor_id: 'admin01', reason: '导入' },
      { type: 'assigned', to_user_id: 'rep01', actor_id: 'admin01', reason: '导入' },
    ]);
    const contacts = await h.db.selectFrom('customer_contacts').select(['name', 'title', 'phone']).where('customer_id', '=', imported[0]!.id).execute();
    expect(contacts).toEqual([{ name: '赵一', title: '店长', phone: '13811110001' }]);
  });

  it('reads a GBK .csv with quoted fields, and an owner at the cap is an error row, not a silent drop', async () => {
    const { max_owned_per_rep: cap } = await h.db.selectFrom('pools').select('max_owned_per_rep').where('id', '=', east).executeTakeFirstOrThrow();
    await h.db.updateTable('pools').set({ max_owned_per_rep: 0 }).where('tenant_id', '=', T).where('id', '=', east).execute();
    try {
      const csv = ['客户名称,地址,纬度,经度,负责人,备注', '"杭州GBK测试,有限公司",杭州市上城区,30.25,120.17,,无关列', 'GBK封顶客户,杭州市上城区,30.26,120.18,rep01,'].join('\r\n');
      const gbk = iconv.encode(csv, 'gbk');
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gbk)).toThrow();
      const res = await upload(admin, gbk, 'gbk.csv', { poolId: String(east) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ dryRun: false, rows: 2, created: 1, skipped: 1, duplicates: [] });
      expect(res.body.errors).toEqual([{ row: 3, column: '负责人', message: expect.stringContaining('达到上限 0 个') }]);
      const row = await h.db.selectFrom('customers').select(['name', 'address']).where('tenant_id', '=', T).where('name', 'like', '杭州GBK%').executeTakeFirst();
      expect(row).toEqual({ name: '杭州GBK测试,有限公司', address: '杭州市上城区' });
      expect(await h.db.selectFrom('customers').select('id').where('name', '=', 'GBK封顶客户').executeTakeFirst()).toBeUndefined();
    } finally {
      await h.db.updateTable('pools').set({ max_owned_per_rep: cap }).where('tenant_id', '=', T).where('id', '=', east).execute();
    }
  });

  it('exports the pool as .xlsx, and the file imported back with dryRun reports every row as an existing customer', async () => {
    const res = await fetch(`${h.baseUrl}/api/v1/admin/customers/export.xlsx?poolId=${east}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const file = Buffer.from(await res.arrayBuffer());
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...IMPORT_COLUMNS, '状态', '负责人姓名', '最近有效拜访', '回收到期']);
    const inPool = await h.db.selectFrom('customers').select(['id', 'name', 'owner_id']).where('tenant_id', '=', T).where('pool_id', '=', east).orderBy('id').execute();
    expect(ws.rowCount).toBe(inPool.length + 1);
    const owned = inPool.findIndex((c) => c.name === '导入乙贸易');
    const line = ws.getRow(owned + 2).values as unknown[];
    expect(line.slice(1, 2)).toEqual(['导入乙贸易']);
    expect(line.slice(11, 14)).toEqual(['rep01', '已领取', '张伟']);
    expect(String(line[15])).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);

    const again = await upload(admin, file, 'export.xlsx', { poolId: String(east), dryRun: 'true' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: 0, errors: [], rows: inPool.length, skipped: inPool.length });
    expect(again.body.duplicates).toHaveLength(inPool.length);
    expect(again.body.duplicates.map((d: { existingId: number }) => d.existingId)).toEqual(inPool.map((c) => c.id));
  });

  it('refuses a rep (403), a sheet without 客户名称 (400), a missing pool (400) and an oversized or absent file', async () => {
    const file = await xlsx([['x']]);
    const asRep = await upload(rep, file, 'a.xlsx', { poolId: String(east) });
    expect(asRep.status).toBe(403);
    expect(asRep.body.error.code).toBe('forbidden');
    const exportAsRep = await h.request('GET', '/api/v1/admin/customers/export.xlsx', { token: rep });
    expect(exportAsRep.status).toBe(403);

    const noName = await upload(admin, await xlsx([['上海']], ['地址']), 'a.xlsx', { poolId: String(east) });
    expect(noName.status).toBe(400);
    expect(noName.body.error).toMatchObject({ code: 'import_header_missing', message: expect.stringContaining('没有「客户名称」列') });

    const noPool = await upload(admin, file, 'a.xlsx', {});
    expect(noPool.status).toBe(400);
    expect(noPool.body.error.code).toBe('invalid_request');

    const missing = await fetch(`${h.baseUrl}/api/v1/admin/customers/import`, { method: 'POST', headers: { authorization: `Bearer ${admin}` }, body: (() => { const f = new FormData(); f.append('poolId', String(east)); return f; })() });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as any).error).toEqual({ code: 'file_missing', message: '没有收到表格：请把表格放在表单字段「file」里上传。' });

    const big = await upload(admin, Buffer.alloc(21 * 1024 * 1024, 0x41), 'big.csv', { poolId: String(east) });
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'sheet_too_large', message: '表格超过 20 MB 的上限，请把表格拆成几个文件分别导入。' });
  });
});
