import { demoUsers, peoplesSquare } from '@gonghai/config';
import { SecretBox } from '../../crypto/secret-box';
import { createTestDb, dialects, type TestDb } from '../../../test/databases';
import { ownersFromLedger } from '../../../test/factories';
import { FakeClock, TEST_NOW } from '../../../test/clock';
import { testConfig } from '../../../test/harness';
import { haversineM } from '../../geo/geo';
import { seedDemoLocally } from '../seed-demo-locally';

const config = testConfig();
const secrets = new SecretBox(config.masterKey);
const seedDemo = (db: TestDb['db']) => seedDemoLocally({ config, db, clock: new FakeClock(TEST_NOW) });

describe.each(dialects)('the demo seed on %s', (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(dialect);
  });
  afterAll(() => t.destroy());

  it('creates exactly the demo of DESIGN §12, once', async () => {
    const first = await seedDemo(t.db);
    expect(first.tenants).toEqual([
      { id: 'demo-dingtalk', customers: 2000, poolCustomers: 1360, owned: 640 },
      { id: 'demo-wecom', customers: 2000, poolCustomers: 1360, owned: 640 },
    ]);
    expect(await seedDemo(t.db)).toEqual({ created: false, tenants: [] });
    const tenants = await t.db.selectFrom('tenants').select(['id', 'platform', 'corp_id', 'agent_id', 'app_secret_enc']).orderBy('id').execute();
    expect(tenants.map(({ app_secret_enc: _s, ...rest }) => rest)).toEqual([
      { id: 'demo-dingtalk', platform: 'dingtalk', corp_id: 'dingdemo', agent_id: '1000001' },
      { id: 'demo-wecom', platform: 'wecom', corp_id: 'wwdemo', agent_id: '1000002' },
    ]);
    expect(secrets.open(tenants[0]!.app_secret_enc)).toBe('dingdemoappsecret');
    expect(tenants[0]!.app_secret_enc).not.toContain('dingdemoappsecret');
    const users = await t.db.selectFrom('users').select(['id', 'roles']).where('tenant_id', '=', 'demo-wecom').orderBy('id').execute();
    expect(users).toHaveLength(demoUsers.length);
    expect(users.find((u) => u.id === 'hr01')!.roles).toBe('hr');
    expect(users.find((u) => u.id === 'mgr-south')!.roles).toBe('manager');
    const pools = await t.db.selectFrom('pools').select(['name', 'max_owned_per_rep', 'daily_claim_limit', 'prior_owner_cooldown_days']).where('tenant_id', '=', 'demo-dingtalk').orderBy('id').execute();
    expect(pools).toEqual([
      { name: '总公司公海', max_owned_per_rep: 200, daily_claim_limit: 20, prior_owner_cooldown_days: 30 },
      { name: '华东公海', max_owned_per_rep: 200, daily_claim_limit: 20, prior_owner_cooldown_days: 30 },
      { name: '华南公海', max_owned_per_rep: 200, daily_claim_limit: 20, prior_owner_cooldown_days: 30 },
    ]);
    const newHire = await t.db.selectFrom('customers').select('id').where('owner_id', '=', 'newhire01').execute();
    expect(newHire).toEqual([]);
  });

  it('puts at least 50 pool customers within 1 km of 人民广场 in each tenant', async () => {
    for (const tenant of ['demo-dingtalk', 'demo-wecom']) {
      const rows = await t.db.selectFrom('customers').select(['lat', 'lng']).where('tenant_id', '=', tenant).where('status', '=', 'pool').execute();
      expect(rows.filter((r) => haversineM(peoplesSquare.lat, peoplesSquare.lng, r.lat, r.lng) <= 1000).length).toBeGreaterThanOrEqual(50);
    }
  });

  it('writes a ledger that replays to every current owner', async () => {
    for (const tenant of ['demo-dingtalk', 'demo-wecom']) {
      const owners = await ownersFromLedger(t.db, tenant);
      const rows = await t.db.selectFrom('customers').select(['id', 'owner_id']).where('tenant_id', '=', tenant).execute();
      expect(rows.filter((r) => owners.get(r.id) !== r.owner_id)).toEqual([]);
    }
  });

  it('is deterministic: the same names and places on every machine', async () => {
    const other = await createTestDb('sqlite');
    try {
      await seedDemo(other.db);
      const pick = (db: TestDb['db']) =>
        db.selectFrom('customers').select(['name', 'lat', 'lng', 'level', 'owner_id']).where('tenant_id', '=', 'demo-wecom').orderBy('id').execute();
      expect(await pick(other.db)).toEqual(await pick(t.db));
    } finally {
      await other.destroy();
    }
  });
});
