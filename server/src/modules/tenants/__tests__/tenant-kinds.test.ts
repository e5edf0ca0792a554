import { createTestDb, dialects, type TestDb } from '../../../../test/databases';
import { SecretBox } from '../../../crypto/secret-box';
import { migrateTo, migrateToLatest } from '../../../db/migrate';
import { seedDemo } from '../../../demo/seed-demo';
import { EvidenceChain } from '../../evidence/evidence.service';
import { newTenant, registerTenant } from '../tenants.service';
import { countTenantsByKind } from '../tenants.repository';

const secrets = new SecretBox('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
const acme = newTenant.parse({ id: 'acme', name: '阿克米贸易', platform: 'wecom', corpId: 'wwacme', appKey: 'wwacme', appSecret: 'acme-secret', agentId: '1000005' });
const row = (id: string, corpId: string) => ({
  id, name: id, platform: 'dingtalk' as const, corp_id: corpId, app_key: corpId, app_secret_enc: 'x', agent_id: '1', callback_token_enc: null, callback_aes_key_enc: null, time_zone: 'Asia/Shanghai', settings: '{}', created_at: 0,
});

describe.each(dialects)('tenant kinds on %s', (dialect) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb(dialect, { migrate: false });
  });
  afterEach(() => t.destroy());

  it('marks the two demo tenants of an existing database as demo and every other tenant as production', async () => {
    await migrateTo(t.db, '2026-11-27-26-drop-visit-bssids');
    await t.db.insertInto('tenants').values([row('demo-dingtalk', 'dingdemo'), row('demo-wecom', 'wwdemo'), row('acme', 'dingacme')]).execute();
    await migrateToLatest(t.db);
    const kinds = await t.db.selectFrom('tenants').select(['id', 'kind']).orderBy('id').execute();
    expect(kinds).toEqual([
      { id: 'acme', kind: 'production' },
      { id: 'demo-dingtalk', kind: 'demo' },
      { id: 'demo-wecom', kind: 'demo' },
    ]);
    expect(await countTenantsByKind(t.db)).toEqual({ production: 1, demo: 2 });
  });

  it('registers a production tenant in a fresh database, but not in one that holds the demo or while the sandbox is on', async () => {
    await migrateToLatest(t.db);
    expect(await countTenantsByKind(t.db)).toEqual({ production: 0, demo: 0 });
    await expect(registerTenant(t.db, secrets, acme, 0, { sandbox: 'on' })).rejects.toMatchObject({ status: 409, code: 'demo_database', message: expect.stringContaining('PLATFORM_SANDBOX=on') });
    await t.db.insertInto('tenants').values({ ...row('demo-dingtalk', 'dingdemo'), kind: 'demo' }).execute();
    await expect(registerTenant(t.db, secrets, acme, 0, { sandbox: 'auto' })).rejects.toMatchObject({ status: 409, code: 'demo_database', message: expect.stringContaining('其中有演示数据') });
    await t.db.deleteFrom('tenants').execute();
    expect(await registerTenant(t.db, secrets, acme, 0, { sandbox: 'auto' })).toMatchObject({ id: 'acme', kind: 'production' });
    expect(await countTenantsByKind(t.db)).toEqual({ production: 1, demo: 0 });
  });

  it('keeps the H5 origins an admin registers, as bare origins, and refuses a page address', async () => {
    await migrateToLatest(t.db);
    const withOrigins = newTenant.parse({ ...acme, h5Origins: ['https://crm.acme.cn', 'http://10.0.0.5:8080'] });
    await registerTenant(t.db, secrets, withOrigins, 0, { sandbox: 'auto' });
    const stored = await t.db.selectFrom('tenants').select('settings').where('id', '=', 'acme').executeTakeFirstOrThrow();
    expect(JSON.parse(stored.settings).h5Origins).toEqual(['https://crm.acme.cn', 'http://10.0.0.5:8080']);
    const refused = newTenant.safeParse({ ...acme, h5Origins: ['https://crm.acme.cn/h5/index.html'] });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toContain('只写到域名');
  });

  it('refuses to seed the demo beside a production tenant, writing nothing', async () => {
    await migrateToLatest(t.db);
    await registerTenant(t.db, secrets, acme, 0, { sandbox: 'auto' });
    let synced = 0;
    const seeding = seedDemo(t.db, { secrets, now: 0, syncOrg: async () => (synced += 1), evidence: new EvidenceChain(t.db, Buffer.alloc(32)) });
    await expect(seeding).rejects.toMatchObject({ status: 409, code: 'production_database', message: expect.stringContaining('不能在这个数据库里生成演示数据') });
    expect(synced).toBe(0);
    expect(await t.db.selectFrom('tenants').select('id').execute()).toEqual([{ id: 'acme' }]);
  });
});
