import { Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { useCallback, useState } from 'react';
import { CountdownBadge } from '@/components/countdown-badge';
import { EmptyState } from '@/components/empty-state';
import { ErrorBanner } from '@/components/error-banner';
import { LevelTag } from '@/components/level-tag';
import { Loading } from '@/components/loading';
import { SessionGate } from '@/components/session-gate';
import { api, type CustomerDto } from '@/services';
import { ruleDaysFromAnchor } from '@/utils/reclaim';
import './index.scss';

/** 我的客户: the rep's customers, most urgent reclaim first, each with «还剩 N 天» and why. */
function MyCustomers() {
  const [items, setItems] = useState<CustomerDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    setError(null);
    api.customers
      .mine()
      .then((r) => setItems(r.items))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : '加载失败'));
  }, []);
  // A tab page stays mounted: reload whenever it is shown (e.g. right after a claim on 公海).
  useDidShow(load);

  if (error) return <ErrorBanner title='加载失败' message={error} onRetry={load} />;
  if (!items) return <Loading />;
  if (items.length === 0) {
    return (
      <EmptyState title='还没有客户' hint='到「公海」看看附近的客户，一键领取'>
        <Text className='mine__go' onClick={() => Taro.switchTab({ url: '/pages/map/index' })}>
          去公海
        </Text>
      </EmptyState>
    );
  }
  const now = Date.now();
  const urgent = items.filter((c) => c.reclaim && Date.parse(c.reclaim.dueDate) - now <= 3 * 86_400_000).length;
  return (
    <View className='mine'>
      <Text className='mine__summary' data-testid='mine-summary'>
        共 {items.length} 个客户{urgent ? `，${urgent} 个将在 3 天内收回` : ''}
      </Text>
      <View className='mine__list' data-testid='mine-list'>
        {items.map((c) => (
          <View key={c.id} className='mine__row' data-testid={`mine-${c.id}`} onClick={() => Taro.navigateTo({ url: `/pages/customer/index?id=${c.id}` })}>
            <View className='mine__who'>
              <View className='mine__name-line'>
                <Text className='mine__name'>{c.name}</Text>
                <LevelTag level={c.level} />
              </View>
              <Text className='mine__addr'>{c.address}</Text>
            </View>
            <CountdownBadge reclaim={c.reclaim ? { ...c.reclaim, days: ruleDaysFromAnchor(c) ?? undefined } : null} now={now} />
          </View>
        ))}
      </View>
    </View>
  );
}

export default function MinePage() {
  return <SessionGate>{() => <MyCustomers />}</SessionGate>;
}
