import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { useCallback, useState } from 'react';
import { CountdownBadge } from '@/components/countdown-badge';
import { EmptyState } from '@/components/empty-state';
import { ErrorBanner } from '@/components/error-banner';
import { LevelTag } from '@/components/level-tag';
import { Loading } from '@/components/loading';
import { SessionGate } from '@/components/session-gate';
import { api, type CustomerDto, type TeamMember, type TeamResponse } from '@/services';
import { dayLabel } from '@/utils/dashboard-view';
import { ruleDaysFromAnchor } from '@/utils/reclaim';
import './index.scss';

const message = (err: unknown) => (err instanceof Error ? err.message : '加载失败');

function MemberCard({ m, now }: { m: TeamMember; now: number }) {
  const v = m.visitsThisWeek;
  return (
    <View
      className='team__card'
      data-testid={`member-${m.userId}`}
      onClick={() => Taro.navigateTo({ url: `/pages/team/index?userId=${encodeURIComponent(m.userId)}&name=${encodeURIComponent(m.name)}` })}
    >
      <View className='team__head'>
        <Text className='team__name'>{m.name}</Text>
        <Text className='team__dept'>{m.department?.name ?? '未分组'}</Text>
        <Text className='team__more'>客户 ›</Text>
      </View>
      <View className='team__figures'>
        <View className='team__figure'>
          <Text className='team__value'>{m.customers}</Text>
          <Text className='team__label'>名下客户</Text>
        </View>
        <View className='team__figure'>
          <Text className='team__value team__value--green'>{v.verified}</Text>
          <Text className='team__label'>本周有效拜访</Text>
        </View>
        <View className='team__figure'>
          <Text className={`team__value ${v.suspect + v.rejected > 0 ? 'team__value--orange' : ''}`}>{v.suspect + v.rejected}</Text>
          <Text className='team__label'>
            可疑 {v.suspect} · 被拒 {v.rejected}
          </Text>
        </View>
        <View className='team__figure'>
          <Text className={`team__value ${m.reclaimed30d > 0 ? 'team__value--red' : ''}`}>{m.reclaimed30d}</Text>
          <Text className='team__label'>30 天被收回</Text>
        </View>
      </View>
      <View className='team__next'>
        {m.nextReclaim ? (
          <>
            <Text className='team__next-label'>下一个收回：{m.nextReclaim.customerName}</Text>
            <CountdownBadge reclaim={{ kind: m.nextReclaim.kind, days: m.nextReclaim.days, dueDate: m.nextReclaim.dueDate }} now={now} />
          </>
        ) : (
          <Text className='team__next-label'>名下没有会被收回的客户</Text>
        )}
      </View>
    </View>
  );
}

/** 我的团队: each rep's customers, this week's visits by verdict, reclaims and the next one due. */
function Team() {
  const [data, setData] = useState<TeamResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    api.team
      .list()
      .then(setData)
      .catch((err: unknown) => setError(message(err)));
  }, []);
  useDidShow(load);

  if (error) return <ErrorBanner title='团队加载失败' message={error} onRetry={load} />;
  if (!data) return <Loading />;
  if (data.items.length === 0) return <EmptyState title='团队里还没有业务员' hint='你负责的部门下没有在职的业务员' />;
  const now = Date.parse(data.asOf);
  const t = data.items.reduce(
    (s, m) => ({ customers: s.customers + m.customers, verified: s.verified + m.visitsThisWeek.verified, flagged: s.flagged + m.visitsThisWeek.suspect + m.visitsThisWeek.rejected, reclaimed: s.reclaimed + m.reclaimed30d }),
    { customers: 0, verified: 0, flagged: 0, reclaimed: 0 },
  );
  return (
    <View className='team'>
      <Text className='team__summary' data-testid='team-summary'>
        {data.items.length} 名业务员 · 共 {t.customers} 个客户 · 本周（{dayLabel(data.weekStart)} 起）有效拜访 {t.verified} 次{t.flagged ? `，可疑/被拒 ${t.flagged} 次` : ''} · 30 天被收回 {t.reclaimed} 个
      </Text>
      {data.items.map((m) => (
        <MemberCard key={m.userId} m={m} now={now} />
      ))}
    </View>
  );
}

/** One rep's customers, most urgent reclaim first (a manager's view of their 我的客户). */
function MemberCustomers({ userId, name }: { userId: string; name: string }) {
  const [items, setItems] = useState<CustomerDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    api.team
      .customers(userId)
      .then((r) => {
        setItems(r.items);
        Taro.setNavigationBarTitle({ title: `${r.user.name}的客户` }).catch(() => undefined);
      })
      .catch((err: unknown) => setError(message(err)));
  }, [userId]);
  useDidShow(load);

  if (error) return <ErrorBanner title='客户加载失败' message={error} onRetry={load} />;
  if (!items) return <Loading />;
  if (items.length === 0) return <EmptyState title={`${name || '该业务员'}名下还没有客户`} />;
  const now = Date.now();
  return (
    <View className='team'>
      <Text className='team__summary' data-testid='member-summary'>
        {name} · 共 {items.length} 个客户，最急的在前
      </Text>
      <View className='team__list'>
        {items.map((c) => (
          <View key={c.id} className='team__row' data-testid={`customer-${c.id}`} onClick={() => Taro.navigateTo({ url: `/pages/customer/index?id=${c.id}` })}>
            <View className='team__who'>
              <View className='team__name-line'>
                <Text className='team__cname'>{c.name}</Text>
                <LevelTag level={c.level} />
              </View>
              <Text className='team__addr'>{c.address}</Text>
            </View>
            <CountdownBadge reclaim={c.reclaim ? { ...c.reclaim, days: ruleDaysFromAnchor(c) ?? undefined } : null} now={now} />
          </View>
        ))}
      </View>
    </View>
  );
}

export default function TeamPage() {
  const { params } = useRouter();
  const userId = params.userId ? decodeURIComponent(params.userId) : '';
  const name = params.name ? decodeURIComponent(params.name) : '';
  return <SessionGate>{() => (userId ? <MemberCustomers userId={userId} name={name} /> : <Team />)}</SessionGate>;
}
