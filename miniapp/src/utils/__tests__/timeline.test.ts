import { fixesFor, formatDwell, formatMetres, reasonTitle } from '../risk-text';
import { describeTimeline, formatAmount, formatWhen, type RawTimelineItem } from '../timeline';

const NOW = Date.parse('2026-11-27T02:00:00Z');
const pools = new Map([
  [1, '华东公海'],
  [3, '总公司公海'],
]);
const ledger = (type: string, fields: Record<string, unknown>): RawTimelineItem => ({
  type,
  at: '2026-11-20T01:30:00.000Z',
  fromUserId: null,
  fromUserName: null,
  toUserId: null,
  toUserName: null,
  fromPoolId: 1,
  toPoolId: 1,
  actorId: null,
  reason: null,
  ruleId: null,
  ruleVersion: null,
  ...fields,
});

describe('the profile timeline in Chinese', () => {
  it('formats times in China time, with the year only when it is not this year', () => {
    expect(formatWhen('2026-11-20T01:30:00.000Z', NOW)).toBe('11月20日 09:30');
    expect(formatWhen('2025-12-31T16:05:00.000Z', NOW)).toBe('1月1日 00:05');
    expect(formatWhen('2025-06-01T04:00:00.000Z', NOW)).toBe('2025年6月1日 12:00');
  });

  it('says who took, returned or lost the customer, and why', () => {
    const rows = describeTimeline(
      [
        ledger('reclaimed', { fromUserId: 'rep02', fromUserName: '王芳', reason: '15 天无有效拜访', ruleId: 4, ruleVersion: 2, actorId: null }),
        ledger('released', { fromUserId: 'rep01', fromUserName: '张伟', reason: '客户无需求：已签竞品三年' }),
        ledger('claimed', { toUserId: 'rep01', toUserName: '张伟' }),
        ledger('assigned', { toUserId: 'newhire01', toUserName: '新同事', actorId: 'hr01', reason: '新人起步客户' }),
        ledger('escalated', { fromPoolId: 1, toPoolId: 3, reason: '公海中 30 天无人领取' }),
        ledger('left_with_employee', { fromUserId: 'rep05', fromUserName: '李娜' }),
        ledger('created', { toUserId: null, actorId: 'admin01', toPoolId: 1 }),
      ],
      NOW,
      pools,
    );
    expect(rows.map((r) => [r.tag, r.title, r.lines, r.tone])).toEqual([
      ['收回', '系统从 王芳 名下收回到「华东公海」', ['收回原因：15 天无有效拜访', '依据规则 #4（第 2 版）'], 'bad'],
      ['退回', '张伟 退回「华东公海」', ['原因：客户无需求：已签竞品三年'], 'warn'],
      ['领取', '张伟 从「华东公海」领取', [], 'good'],
      ['分配', '分配给 新同事', ['操作人：hr01', '原因：新人起步客户'], 'good'],
      ['升级', '长期无人领取，从「华东公海」升级到「总公司公海」', ['原因：公海中 30 天无人领取'], 'warn'],
      ['离职退回', '李娜 离职，客户退回「华东公海」', [], 'warn'],
      ['新建', '新建客户，放入「华东公海」', ['创建人：admin01'], 'plain'],
    ]);
    expect(rows[0]!.when).toBe('11月20日 09:30');
  });

  it('says where a customer went when its pool was archived, and who still owns it', () => {
    const reason = '公海「杭州一组公海」归档，客户移入「华东公海」';
    const rows = describeTimeline(
      [
        ledger('moved', { fromPoolId: 7, toPoolId: 1, fromUserId: 'rep05', fromUserName: '陈静', toUserId: 'rep05', toUserName: '陈静', actorId: 'admin01', reason }),
        ledger('moved', { fromPoolId: 7, toPoolId: 1, actorId: 'admin01', reason }),
      ],
      NOW,
      pools,
    );
    expect(rows.map((r) => [r.tag, r.title, r.lines, r.tone])).toEqual([
      ['转移公海', '所在公海归档，转入「华东公海」，仍由 陈静 负责', ['操作人：admin01', `原因：${reason}`], 'plain'],
      ['转移公海', '所在公海归档，转入「华东公海」', ['操作人：admin01', `原因：${reason}`], 'plain'],
    ]);
  });

  it('shows a visit with its verdict, distance, stay, reasons, notes and photos', () => {
    const photo = { id: 9, sha256: 'ab', url: '/api/v1/photos/9', chainSeq: 12, reused: false, createdAt: '2026-11-27T01:02:00.000Z' };
    const [suspect, open] = describeTimeline(
      [
        {
          type: 'visit',
          at: '2026-11-27T01:00:00.000Z',
          visitId: 31,
          verdict: 'suspect',
          risk: { score: 30, reasons: [{ code: 'SHORT_DWELL', detail: '40 s < 120 s', message: '本次拜访只停留了 40 秒，少于要求的 120 秒；拜访记录将交由主管复核。', weight: 30 }] },
          distanceM: 18,
          finishedAt: '2026-11-27T01:00:40.000Z',
          dwellS: 40,
          notes: '门店关门',
          photos: [photo],
          userId: 'rep01',
          userName: '张伟',
        },
        { type: 'visit', at: '2026-11-27T01:50:00.000Z', visitId: 32, verdict: 'verified', risk: { score: 0, reasons: [] }, distanceM: 1234, finishedAt: null, dwellS: null, notes: null, photos: [], userId: 'rep01', userName: null },
      ],
      NOW,
    );
    expect(suspect).toMatchObject({
      key: 'visit-31',
      kind: 'visit',
      tag: '拜访',
      title: '张伟 上门拜访 · 可疑',
      lines: ['距客户 18 米 · 停留 40 秒', '停留时间太短：本次拜访只停留了 40 秒，少于要求的 120 秒；拜访记录将交由主管复核。', '拜访记录：门店关门'],
      tone: 'warn',
      verdict: 'suspect',
      photos: [photo],
    });
    expect(open).toMatchObject({ title: 'rep01 上门拜访 · 已验证', lines: ['距客户 1.2 公里 · 拜访进行中'], tone: 'good' });
  });

  it('shows follow-ups by kind and deals with amount and outcome', () => {
    const rows = describeTimeline(
      [
        { type: 'follow_up', at: '2026-11-26T02:00:00.000Z', kind: 'call', content: '电话确认了需求', userId: 'rep01', userName: '张伟' },
        { type: 'follow_up', at: '2026-11-26T01:00:00.000Z', kind: 'note', content: '整理了拜访纪要', userId: 'rep01', userName: '张伟' },
        { type: 'deal', at: '2026-11-25T02:00:00.000Z', dealId: 7, title: '年度采购', amount: 123456.5, status: 'won', closedAt: '2026-11-26T03:00:00.000Z', userId: 'rep01', userName: '张伟' },
        { type: 'deal', at: '2026-11-24T02:00:00.000Z', dealId: 6, title: '试用', amount: 800, status: 'open', closedAt: null, userId: 'rep01', userName: '张伟' },
      ],
      NOW,
    );
    expect(rows.map((r) => [r.tag, r.title, r.lines, r.deal])).toEqual([
      ['电话', '张伟 电话跟进', ['电话确认了需求'], undefined],
      ['拜访记录', '张伟 写了拜访记录', ['整理了拜访纪要'], undefined],
      ['商机', '张伟 记录商机「年度采购」', ['金额 ¥123,456.50 · 赢单', '赢单于 11月26日 11:00'], { id: 7, status: 'won' }],
      ['商机', '张伟 记录商机「试用」', ['金额 ¥800.00 · 进行中'], { id: 6, status: 'open' }],
    ]);
  });

  it('names reasons, tells the rep how to fix a rejected check-in, and formats figures', () => {
    expect(reasonTitle('OUT_OF_RANGE')).toBe('超出签到范围');
    expect(reasonTitle('SOMETHING_NEW')).toBe('SOMETHING_NEW');
    expect(fixesFor([{ code: 'OUT_OF_RANGE' }, { code: 'LOW_ACCURACY' }, { code: 'OUT_OF_RANGE' }, { code: 'SOMETHING_NEW' }])).toEqual([
      '走近客户（到门店或办公地点门口）后重新签到',
      '开启手机的精确定位（GPS），到室外或窗边等定位稳定后再签到',
    ]);
    expect([formatMetres(86.4), formatMetres(4999), formatMetres(1000)]).toEqual(['86 米', '5 公里', '1 公里']);
    expect([formatDwell(40), formatDwell(180), formatDwell(3900), formatDwell(7200)]).toEqual(['40 秒', '3 分钟', '1 小时 5 分钟', '2 小时']);
    expect([formatAmount(0), formatAmount(1234567.891)]).toEqual(['¥0.00', '¥1,234,567.89']);
  });
});

describe('transfers and appeals on the timeline', () => {
  it('says where a transfer went: to a colleague, or back to a pool', () => {
    const [toRep, toPool] = describeTimeline(
      [
        ledger('transferred', { fromUserName: '张伟', toUserName: '王芳', actorId: 'mgr-east', reason: '客户区域调整' }),
        ledger('transferred', { fromUserName: '张伟', toPoolId: 3, actorId: 'mgr-east', reason: '区域收缩' }),
      ],
      NOW,
      pools,
    );
    expect(toRep).toMatchObject({ tag: '转交', title: '由 张伟 转交给 王芳', lines: ['操作人：mgr-east', '原因：客户区域调整'] });
    expect(toPool).toMatchObject({ tag: '转交', title: '由 张伟 转回「总公司公海」', lines: ['操作人：mgr-east', '原因：区域收缩'] });
  });

  it('shows an appeal waiting, accepted or declined, and the customer restored by it', () => {
    const appeal = (fields: Record<string, unknown>): RawTimelineItem => ({ type: 'appeal', at: '2026-11-26T02:00:00.000Z', id: 4, userId: 'rep01', userName: '张伟', reason: '已拜访，定位异常', status: 'open', decidedBy: null, decidedByName: null, decidedAt: null, note: null, ...fields });
    const [open, accepted, declined, restored] = describeTimeline(
      [
        appeal({}),
        appeal({ status: 'accepted', decidedBy: 'mgr-east', decidedByName: '钱东', decidedAt: '2026-11-26T03:00:00.000Z', note: '记录属实' }),
        appeal({ status: 'declined', decidedByName: '钱东', decidedAt: '2026-11-26T03:00:00.000Z' }),
        ledger('appeal_restored', { toUserName: '张伟', actorId: 'mgr-east', reason: '申诉通过：记录属实' }),
      ],
      NOW,
      pools,
    );
    expect(open).toMatchObject({ key: 'appeal-4', tag: '申诉', title: '张伟 对回收提出申诉 · 待处理', lines: ['申诉理由：已拜访，定位异常', '等待经理处理'], tone: 'warn' });
    expect(accepted).toMatchObject({ title: '张伟 对回收提出申诉 · 已同意', lines: ['申诉理由：已拜访，定位异常', '钱东 于 11月26日 11:00 同意，客户退回原负责人：记录属实'], tone: 'good' });
    expect(declined).toMatchObject({ title: '张伟 对回收提出申诉 · 已驳回', lines: ['申诉理由：已拜访，定位异常', '钱东 于 11月26日 11:00 驳回'], tone: 'bad' });
    expect(restored).toMatchObject({ tag: '申诉', title: '申诉通过，客户退回 张伟', lines: ['处理人：mgr-east', '原因：申诉通过：记录属实'], tone: 'good' });
  });
});
