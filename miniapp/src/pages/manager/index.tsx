import { Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { Loading } from '@/components/loading';
import { BarList, FlowChart, Sparkline, StackedBar } from '@/components/mini-charts';
import { SessionGate } from '@/components/session-gate';
import { platform } from '@/platform';
import { api, type DashboardFigures, type DashboardPools, type LoginResult, type RegionFigures } from '@/services';
import { saveCsv } from '@/utils/csv-export';
import {
  csvPath,
  formatHours,
  formatLocalTime,
  formatNumber,
  formatShare,
  isBigScreen,
  presetOf,
  presetRange,
  RANGE_PRESETS,
  rangeLabel,
  VERDICTS,
} from '@/utils/dashboard-view';
import './index.scss';

/** The 大屏 refreshes itself: a wall display has nobody to pull it. */
const SCREEN_REFRESH_MS = 5 * 60_000;

function Tile({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <View className='mgr__tile'>
      <Text className='mgr__tile-value'>{value}</Text>
      <Text className='mgr__tile-label'>{label}</Text>
      {hint ? <Text className='mgr__tile-hint'>{hint}</Text> : null}
    </View>
  );
}

function Card({ title, extra, children, testId }: { title: string; extra?: string; children: ReactNode; testId?: string }) {
  return (
    <View className='mgr__card' data-testid={testId}>
      <View className='mgr__card-head'>
        <Text className='mgr__card-title'>{title}</Text>
        {extra ? <Text className='mgr__card-extra'>{extra}</Text> : null}
      </View>
      {children}
    </View>
  );
}

function Totals({ f }: { f: DashboardFigures }) {
  return (
    <View className='mgr__tiles' data-testid='totals'>
      <Tile label='公海客户' value={formatNumber(f.poolSize)} />
      <Tile label='已领取' value={formatNumber(f.owned)} />
      <Tile label='业务员' value={formatNumber(f.activeReps)} />
      <Tile label='人均客户' value={formatNumber(f.customersPerRep)} />
    </View>
  );
}

function RegionCard({ r, screen }: { r: RegionFigures; screen: boolean }) {
  const verdict = VERDICTS[r.saturation.verdict];
  return (
    <View className='mgr__card mgr__region' data-testid={`region-${r.regionId ?? 'none'}`}>
      <View className='mgr__card-head'>
        <Text className='mgr__card-title'>{r.name}</Text>
        <Text className={`mgr__verdict mgr__verdict--${verdict.tone}`}>{verdict.label}</Text>
      </View>
      <Text className='mgr__reason'>{r.saturation.reason}</Text>
      <View className='mgr__figures'>
        <View className='mgr__figure'>
          <Text className='mgr__figure-value'>{formatNumber(r.poolSize)}</Text>
          <Text className='mgr__figure-label'>公海</Text>
        </View>
        <View className='mgr__figure'>
          <Text className='mgr__figure-value'>{formatNumber(r.owned)}</Text>
          <Text className='mgr__figure-label'>已领取</Text>
        </View>
        <View className='mgr__figure'>
          <Text className='mgr__figure-value'>{formatNumber(r.activeReps)}</Text>
          <Text className='mgr__figure-label'>业务员</Text>
        </View>
        <View className='mgr__figure'>
          <Text className='mgr__figure-value'>{formatNumber(r.customersPerRep)}</Text>
          <Text className='mgr__figure-label'>人均客户</Text>
        </View>
      </View>
      <Text className='mgr__spark-label'>公海客户数（每日）</Text>
      <Sparkline values={r.series.map((p) => p.poolSize)} tone={screen ? 'light' : 'blue'} />
      {r.pools.length > 1 ? (
        <View className='mgr__pools'>
          {r.pools.map((p) => (
            <Text key={p.poolId} className='mgr__pool'>
              {p.name}：公海 {p.poolSize} · 已领 {p.owned} · {VERDICTS[p.saturation.verdict].label}
            </Text>
          ))}
        </View>
      ) : null}
    </View>
  );
}

function Flows({ d, screen }: { d: DashboardPools; screen: boolean }) {
  const t = d.totals;
  return (
    <Card title='流入 / 流出（每日）' extra={`净流入 ${t.inflow.total - t.outflow.total}`} testId='flows'>
      <FlowChart series={t.series} height={screen ? 360 : 200} />
      <Text className='mgr__sub'>流入来源</Text>
      <StackedBar
        testId='inflow'
        parts={[
          { key: 'created', label: '新建', value: t.inflow.created, tone: 'blue' },
          { key: 'released', label: '退回', value: t.inflow.released, tone: 'grey' },
          { key: 'reclaimed', label: '规则收回', value: t.inflow.reclaimed, tone: 'red' },
          { key: 'departed', label: '离职交回', value: t.inflow.departed, tone: 'purple' },
          { key: 'escalated', label: '下级升级', value: t.inflow.escalated, tone: 'orange' },
          { key: 'other', label: '其他', value: t.inflow.other, tone: 'teal' },
        ]}
      />
      <Text className='mgr__sub'>流出去向</Text>
      <StackedBar
        testId='outflow'
        parts={[
          { key: 'claimed', label: '领取', value: t.outflow.claimed, tone: 'green' },
          { key: 'assigned', label: '分配', value: t.outflow.assigned, tone: 'blue' },
          { key: 'escalated', label: '升级转出', value: t.outflow.escalated, tone: 'orange' },
          { key: 'other', label: '其他', value: t.outflow.other, tone: 'teal' },
        ]}
      />
    </Card>
  );
}

function Truth({ f }: { f: DashboardFigures }) {
  return (
    <Card title='拜访真实性' extra={`${f.visits.total} 次签到`} testId='truth'>
      <StackedBar
        testId='verdicts'
        parts={[
          { key: 'verified', label: '已验证', value: f.visits.verified, tone: 'green' },
          { key: 'suspect', label: '可疑', value: f.visits.suspect, tone: 'orange' },
          { key: 'rejected', label: '被拒绝', value: f.visits.rejected, tone: 'red' },
        ]}
      />
      <View className='mgr__tiles mgr__tiles--three'>
        <Tile label='囤积率' value={formatShare(f.hoarding.share)} hint={`${f.hoarding.unvisited}/${f.hoarding.claims} 个领取 7 天内未拜访`} />
        <Tile label='领取→首次有效拜访' value={formatHours(f.medianHoursToFirstVerifiedVisit)} hint={`中位数，${f.firstVerifiedVisits} 次首访`} />
        <Tile label='公海停留' value={f.medianDaysInPool === null ? '—' : `${f.medianDaysInPool} 天`} hint={`中位数，${f.waits} 个客户离开公海`} />
      </View>
    </Card>
  );
}

function Reclaims({ f }: { f: DashboardFigures }) {
  return (
    <Card title='收回最多的业务员' extra={`共收回 ${f.reclaims.reclaimed} · 人均 ${formatNumber(f.reclaims.perRep)}`} testId='top-reclaims'>
      {f.reclaims.topReps.length === 0 ? (
        <Text className='mgr__none'>这段时间没有客户被规则收回</Text>
      ) : (
        <BarList items={f.reclaims.topReps.map((r) => ({ key: r.userId, label: r.name, value: r.count }))} unit=' 个' />
      )}
    </Card>
  );
}

function Bounces({ f }: { f: DashboardFigures }) {
  return (
    <Card title='来回倒手的客户' extra={`${f.bounces.count} 次`} testId='bounces'>
      {f.bounces.topPairs.length === 0 ? (
        <Text className='mgr__none'>没有客户在两人之间来回（A → B → A）</Text>
      ) : (
        f.bounces.topPairs.map((p) => (
          <View key={p.userIds.join('|')} className='mgr__pair'>
            <Text>
              {p.names[0]} ⇄ {p.names[1]}
            </Text>
            <Text className='mgr__pair-count'>{p.count} 次</Text>
          </View>
        ))
      )}
    </Card>
  );
}

function Dashboard({ session }: { session: LoginResult }) {
  const { params } = useRouter();
  const screen = isBigScreen(params.screen, Taro.getSystemInfoSync().windowWidth);
  const [range, setRange] = useState(() => (params.from && params.to ? { from: params.from, to: params.to } : presetRange(30, Date.now())));
  const [regionId, setRegionId] = useState<string | undefined>(params.regionId || undefined);
  const [regions, setRegions] = useState<{ id: string; name: string }[]>([]);
  const [data, setData] = useState<DashboardPools | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [exporting, setExporting] = useState(false);

  const load = useCallback(() => {
    setBusy(true);
    setError(null);
    api.dashboard
      .pools({ from: range.from, to: range.to, regionId })
      .then((d) => {
        setData(d);
        // The chips list every region seen, so filtering to one keeps the others to switch back to.
        setRegions((known) => {
          const all = new Map(known.map((r) => [r.id, r.name]));
          for (const r of d.regions) if (r.regionId !== null) all.set(r.regionId, r.name);
          return [...all].map(([id, name]) => ({ id, name }));
        });
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : '加载失败'))
      .finally(() => setBusy(false));
  }, [range, regionId]);
  useEffect(load, [load]);
  useEffect(() => {
    if (!screen) return undefined;
    const timer = setInterval(load, SCREEN_REFRESH_MS);
    return () => clearInterval(timer);
  }, [screen, load]);

  const preset = presetOf(range, Date.now());
  const exportCsv = () => {
    setExporting(true);
    saveCsv(csvPath({ ...range, regionId }), `公海看板-${range.from}-${range.to}.csv`)
      .catch((err: unknown) => Taro.showToast({ title: err instanceof Error ? err.message : '导出失败', icon: 'none' }))
      .finally(() => setExporting(false));
  };

  const filters = (
    <View className='mgr__filters'>
      <View className='mgr__chips'>
        {RANGE_PRESETS.map((days) => (
          <Text key={days} className={`mgr__chip ${preset === days ? 'mgr__chip--on' : ''}`} data-testid={`range-${days}`} onClick={() => setRange(presetRange(days, Date.now()))}>
            近 {days} 天
          </Text>
        ))}
      </View>
      {regions.length > 1 || regionId ? (
        <View className='mgr__chips'>
          <Text className={`mgr__chip ${regionId ? '' : 'mgr__chip--on'}`} onClick={() => setRegionId(undefined)}>
            全部区域
          </Text>
          {regions.map((r) => (
            <Text key={r.id} className={`mgr__chip ${regionId === r.id ? 'mgr__chip--on' : ''}`} data-testid={`region-chip-${r.id}`} onClick={() => setRegionId(r.id)}>
              {r.name}
            </Text>
          ))}
        </View>
      ) : null}
    </View>
  );

  if (!data) {
    return (
      <View className={`mgr ${screen ? 'mgr--screen' : ''}`}>
        {filters}
        {error ? <ErrorBanner title='看板加载失败' message={error} onRetry={load} /> : <Loading text='正在计算看板…' />}
      </View>
    );
  }

  const status = (
    <View className='mgr__status'>
      <Text data-testid='range-label'>
        {rangeLabel(data.range)}
        {data.live ? ` · 今日实时，截至 ${formatLocalTime(data.live.asOf).slice(-5)}` : ''}
        {busy ? ' · 更新中…' : ''}
      </Text>
      {platform.name === 'h5' ? (
        <Text className='mgr__export' data-testid='export-csv' onClick={exporting ? undefined : exportCsv}>
          {exporting ? '导出中…' : '导出 CSV'}
        </Text>
      ) : null}
    </View>
  );
  const regionCards = data.regions.length === 0 ? <Text className='mgr__none'>你管理的区域没有公海</Text> : data.regions.map((r) => <RegionCard key={r.regionId ?? 'none'} r={r} screen={screen} />);

  if (screen) {
    return (
      <View className='mgr mgr--screen' data-testid='big-screen'>
        <View className='mgr__screen-head'>
          <Text className='mgr__screen-title'>公海指挥大屏 · {session.tenant.name}</Text>
          {status}
        </View>
        {filters}
        {error ? <ErrorBanner title='刷新失败' message={error} onRetry={load} /> : null}
        <View className='mgr__grid'>
          <View className='mgr__col'>
            <Totals f={data.totals} />
            {regionCards}
          </View>
          <View className='mgr__col mgr__col--wide'>
            <Flows d={data} screen />
          </View>
          <View className='mgr__col'>
            <Truth f={data.totals} />
            <Reclaims f={data.totals} />
            <Bounces f={data.totals} />
          </View>
        </View>
      </View>
    );
  }
  return (
    <View className='mgr'>
      {filters}
      {status}
      {error ? <ErrorBanner title='刷新失败' message={error} onRetry={load} /> : null}
      <Totals f={data.totals} />
      {regionCards}
      <Flows d={data} screen={false} />
      <Truth f={data.totals} />
      <Reclaims f={data.totals} />
      <Bounces f={data.totals} />
    </View>
  );
}

/** 看板: pool saturation per region with its verdict, flows per day, visit truthfulness, reclaims and bounces. */
export default function ManagerPage() {
  return <SessionGate>{(session) => <Dashboard session={session} />}</SessionGate>;
}
