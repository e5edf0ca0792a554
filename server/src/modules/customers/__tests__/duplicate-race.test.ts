import { sql } from 'kysely';
import { migrateTo, migrateToLatest } from '../../../db/migrate';
import { createTestDb, dialects } from '../../../../test/databases';
import { poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';

const T = 'demo-dingtalk';

describe.each(dialects)('duplicate keys and the creation lock on %s', (dialect) => {
  let h: Harness;
  let rep01: string;
  let admin: string;
  beforeAll(async () => {
    h = await startHarness(dialect);
    rep01 = await h.tokenFor(T, 'rep01');
    admin = await h.tokenFor(T, 'admin01');
  });
  afterAll(() => h.close());

  const body = (over: Record<string, unknown>) => ({ address: '上海市黄浦区人民大道 200 号', lat: 31.2304, lng: 121.4737, level: 'B', ...over });
  const rowsNamed = (name: string) => h.db.selectFrom('customers').select(['id', 'name_key']).where('tenant_id', '=', T).where('name', '=', name).execute();

  it('answers one 201 and seven 409 duplicate_customer when the same customer is created eight times at once (撞单)', async () => {
    const name = '并发撞单测试有限公司';
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        h.request('POST', '/api/v1/customers', { token: rep01, headers: { 'idempotency-key': `race-${dialect}-${i}` }, body: body({ name, contacts: [{ name: '王', phone: '13700009999' }] }) }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const created = answers.find((a) => a.status === 201)!.body.customer.id;
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error).toMatchObject({ code: 'duplicate_customer', customerId: created, reason: 'place' });
    expect(await rowsNamed(name)).toEqual([{ id: created, name_key: '并发撞单测试' }]);
    const contacts = await h.db.selectFrom('customer_contacts').select(['phone', 'phone_key']).where('tenant_id', '=', T).where('customer_id', '=', created).execute();
    expect(contacts).toEqual([{ phone: '13700009999', phone_key: '13700009999' }]);
  });

  it('keeps the keys current on a rename and a contact phone change, so the check finds the new name and phone', async () => {
    const c = (await h.request('POST', '/api/v1/customers', { token: rep01, body: body({ name: '改名前商行', lat: 30.5, lng: 120.5, contacts: [{ name: '李', phone: '13600001234' }] }) })).body.customer;
    expect((await h.request('PATCH', `/api/v1/customers/${c.id}`, { token: rep01, body: { name: '改名后 商行（有限公司）' } })).status).toBe(200);
    expect((await h.db.selectFrom('customers').select('name_key').where('id', '=', c.id).executeTakeFirstOrThrow()).name_key).toBe('改名后商行');
    const contact = await h.db.selectFrom('customer_contacts').select('id').where('customer_id', '=', c.id).executeTakeFirstOrThrow();
    expect((await h.request('PATCH', `/api/v1/customers/${c.id}/contacts/${contact.id}`, { token: rep01, body: { phone: '+86 135-0000-4321' } })).status).toBe(200);
    const added = await h.request('POST', `/api/v1/customers/${c.id}/contacts`, { token: rep01, body: { name: '赵', phone: '0571-8765 4321' } });
    expect(added.status).toBe(201);
    const keys = await h.db.selectFrom('customer_contacts').select('phone_key').where('customer_id', '=', c.id).orderBy('id').execute();
    expect(keys.map((k) => k.phone_key)).toEqual(['13500004321', '057187654321']);
    // The old name and phone are free again; the new ones are taken.
    const free = await h.request('POST', '/api/v1/customers', { token: rep01, body: body({ name: '改名前商行', lat: 22, lng: 113, contacts: [{ name: '周', phone: '13600001234' }] }) });
    expect(free.status).toBe(201);
    const byName = await h.request('POST', '/api/v1/customers', { token: rep01, body: body({ name: '改名后商行 有限公司', lat: 23, lng: 113 }) });
    expect(byName.body.error).toMatchObject({ code: 'duplicate_customer', customerId: c.id, reason: 'name' });
    const byPhone = await h.request('POST', '/api/v1/customers', { token: rep01, body: body({ name: '别的名字', lat: 23, lng: 114, contacts: [{ name: '吴', phone: '057187654321' }] }) });
    expect(byPhone.body.error).toMatchObject({ code: 'duplicate_customer', customerId: c.id, reason: 'phone' });
  });

  it('writes the keys on an import, and an import row created meanwhile by someone else is a duplicate, not a second customer', async () => {
    const east = await poolIdByName(h.db, T, '华东公海');
    const csv = ['客户名称,地址,纬度,经度,联系人,电话', '导入撞单甲有限公司,上海市黄浦区,31.31,121.51,钱,13411112222', '导入撞单乙,上海市黄浦区,31.32,121.52,孙,13411113333'].join('\r\n');
    const upload = async () => {
      const form = new FormData();
      form.append('poolId', String(east));
      form.append('file', new Blob([Buffer.from(csv)]), '撞单.csv');
      const res = await fetch(`${h.baseUrl}/api/v1/admin/customers/import`, { method: 'POST', headers: { authorization: `Bearer ${admin}` }, body: form });
      return { status: res.status, body: (await res.json()) as any };
    };
    let imported: Promise<{ status: number; body: any }>;
    let rivalId = 0;
    if (dialect === 'mysql') {
      // A rep's creation holds the tenant's creation lock; the import, started after it, checks the file against the
      // tenant (nothing yet), then waits for the lock at its batch. Once the rep's customer commits, the batch sees it.
      await h.db.connection().execute(async (other) => {
        await sql`start transaction`.execute(other);
        await sql`select id from tenants where id = ${T} for update`.execute(other);
        imported = upload();
        // Once the import's batch asks for the lock (after its check against the tenant), the rep's customer commits.
        for (let probes = 0; ; probes++) {
          if (probes > 100_000) throw new Error('the import never asked for the tenant lock');
          const waiting = await sql<{ n: number }>`select count(*) as n from information_schema.processlist
            where db = database() and id <> connection_id() and info like 'select %from \`tenants\`%for update'`.execute(h.db);
          if (Number(waiting.rows[0]!.n) > 0) break;
        }
        const res = await other
          .insertInto('customers')
          .values({ tenant_id: T, name: '导入撞单乙', name_key: '导入撞单乙', address: '上海', lat: 31, lng: 121, geohash: 'wtw3s', level: 'B', tags: '[]', status: 'owned', pool_id: east, owner_id: 'rep01', owned_since: 0, created_at: 0, updated_at: 0 })
          .executeTakeFirstOrThrow();
        rivalId = Number(res.insertId);
        await sql`commit`.execute(other);
      });
    } else {
      // SQLite: one write transaction at a time, so the race cannot arise; the rival simply comes first.
      const rival = await h.request('POST', '/api/v1/customers', { token: rep01, body: body({ name: '导入撞单乙', lat: 31, lng: 121 }) });
      rivalId = rival.body.customer.id;
      imported = upload();
    }
    const res = await imported!;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 1, duplicates: [{ row: 3, existingId: rivalId, sameAsRow: null, reason: 'name' }] });
    expect(await rowsNamed('导入撞单乙')).toEqual([{ id: rivalId, name_key: '导入撞单乙' }]);
    expect((await rowsNamed('导入撞单甲有限公司')).map((r) => r.name_key)).toEqual(['导入撞单甲']);
    const phones = await h.db.selectFrom('customer_contacts').select('phone_key').where('tenant_id', '=', T).where('phone', '=', '13411112222').execute();
    expect(phones).toEqual([{ phone_key: '13411112222' }]);
  });
});

describe.each(dialects)('migration 36 on %s', (dialect) => {
  it('fills the keys of the customers and contacts already stored, page by page', async () => {
    const t = await createTestDb(dialect, { migrate: false });
    try {
      await migrateTo(t.db, '2026-12-07-35-handovers-appeals');
      const row = (i: number, name: string) => ({ id: i, tenant_id: 't', name, address: 'a', lat: 0, lng: 0, geohash: 's0', level: 'C', tags: '[]', status: 'pool', pool_id: 1, created_at: 0, updated_at: 0 });
      // 1,200 rows: more than two pages of 500.
      const many = Array.from({ length: 1200 }, (_, i) => row(i + 1, `客户 ${i + 1} 号（有限公司）`));
      many[0] = row(1, ' 杭州 ＡＢＣ 贸易有限公司 ');
      for (let i = 0; i < many.length; i += 300) await (t.db as any).insertInto('customers').values(many.slice(i, i + 300)).execute();
      await (t.db as any)
        .insertInto('customer_contacts')
        .values([
          { tenant_id: 't', customer_id: 1, name: 'a', title: null, phone: '+86 139-1234-5678', created_at: 0 },
          { tenant_id: 't', customer_id: 1, name: 'b', title: null, phone: '12', created_at: 0 },
          { tenant_id: 't', customer_id: 2, name: 'c', title: null, phone: null, created_at: 0 },
        ])
        .execute();
      await migrateToLatest(t.db);
      const keys = await t.db.selectFrom('customers').select(['id', 'name_key']).where('id', 'in', [1, 2, 1200]).orderBy('id').execute();
      expect(keys).toEqual([
        { id: 1, name_key: '杭州abc贸易' },
        { id: 2, name_key: '客户2号' },
        { id: 1200, name_key: '客户1200号' },
      ]);
      const phones = await t.db.selectFrom('customer_contacts').select('phone_key').orderBy('id').execute();
      expect(phones.map((p) => p.phone_key)).toEqual(['13912345678', null, null]);
    } finally {
      await t.destroy();
    }
  });
});
