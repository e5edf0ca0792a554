import { poolIdByName } from '../../../../../test/factories';
import { startHarness, type Harness } from '../../../../../test/harness';
import { captureMysqlDeadlock, injectStatementFailures, type StatementFailures } from '../../../../../test/write-conflicts';
import { setWriteRetryPolicy } from '../../../../db/write-retry';

const T = 'demo-dingtalk';

/**
 * An import batch that loses a write conflict (errno 1213: a deadlock, or on Galera a certification failure) runs
 * again from its first read, and its rows are reported once: the report is what was committed, nothing counted twice.
 */
describe('an import batch that loses a conflict on mysql', () => {
  let h: Harness;
  let admin: string;
  let east: number;
  let statements: StatementFailures;

  beforeAll(async () => {
    h = await startHarness('mysql');
    admin = await h.tokenFor(T, 'admin01');
    east = await poolIdByName(h.db, T, '华东公海');
    statements = injectStatementFailures(await captureMysqlDeadlock(process.env.MYSQL_URL!));
    setWriteRetryPolicy(h.db, { random: () => 0.5, sleep: async () => undefined });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await h.close();
  });

  const upload = async (csv: string, dryRun: boolean) => {
    const form = new FormData();
    form.append('poolId', String(east));
    form.append('dryRun', String(dryRun));
    form.append('file', new Blob([csv]), '客户.csv');
    const res = await fetch(`${h.baseUrl}/api/v1/admin/customers/import`, { method: 'POST', headers: { authorization: `Bearer ${admin}` }, body: form });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const named = async (prefix: string) => (await h.db.selectFrom('customers').select('name').where('tenant_id', '=', T).where('name', 'like', `${prefix}%`).execute()).length;

  it('reports each row once after the retry, in the dry run and in the real run, and writes each customer once', async () => {
    const csv = ['客户名称,地址,纬度,经度,负责人', '重试导入甲,上海市黄浦区,31.2001,121.4001,', '重试导入乙,上海市黄浦区,31.2101,121.4101,rep01', '重试导入乙,上海市黄浦区,31.2101,121.4101,'].join('\n');
    const expected = { rows: 3, created: 2, updated: 0, skipped: 1, geocoded: 0, errors: [], duplicates: [{ row: 4, existingId: null, sameAsRow: 3, reason: 'place' }] };
    // The batch's ledger insert fails once, after its customers were inserted in the same transaction.
    statements.fail(/^insert into `ownership_events`/, 1);
    const dry = await upload(csv, true);
    expect({ status: dry.status, failuresLeft: statements.left }).toEqual({ status: 200, failuresLeft: 0 });
    expect(dry.body).toEqual({ dryRun: true, ...expected });
    statements.fail(/^insert into `ownership_events`/, 1);
    const real = await upload(csv, false);
    expect({ status: real.status, failuresLeft: statements.left }).toEqual({ status: 200, failuresLeft: 0 });
    expect(real.body).toEqual({ dryRun: false, ...expected });
    expect(await named('重试导入')).toBe(2);
    const owner = await h.db.selectFrom('customers').select('owner_id').where('tenant_id', '=', T).where('name', '=', '重试导入乙').executeTakeFirstOrThrow();
    expect(owner.owner_id).toBe('rep01');
  });
});
