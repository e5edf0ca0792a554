import { Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { useCallback, useState } from 'react';
import { EmptyState } from '@/components/empty-state';
import { ErrorBanner } from '@/components/error-banner';
import { Loading } from '@/components/loading';
import { SessionGate } from '@/components/session-gate';
import { api, type LatestReclaimsResponse } from '@/services';
import { formatLocalTime, groupByRep, RULE_KIND_LABELS } from '@/utils/dashboard-view';
import './index.scss';

/** 最近收回: what the last reclaim sweep took back from the manager's reps, grouped by rep, with each rule's reason. */
function Reclaims() {
  const [data, setData] = useState<LatestReclaimsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    api.team
      .latestReclaims()
      .then(setData)
      .catch((err: unknown) => setError(err instanceof Error ? err.message : '加载失败'));
  }, []);
  useDidShow(load);

  if (error) return <ErrorBanner title='加载失败' message={error} onRetry={load} />;
  if (!data) return <Loading />;
  if (!data.run) return <EmptyState title='还没有执行过回收' hint='每天凌晨 2 点按公海规则收回客户，执行后这里会列出结果' />;
  if (data.items.length === 0) {
    return <EmptyState title={`${data.run.runDate} 的回收没有收回你团队的客户`} hint={`执行于 ${formatLocalTime(data.run.finishedAt)}`} />;
  }
  const groups = groupByRep(data.items);
  return (
    <View className='reclaims'>
      <View className='reclaims__summary' data-testid='reclaims-summary'>
        <Text className='reclaims__title'>
          {data.run.runDate} 共收回 {data.items.length} 个客户，涉及 {groups.length} 名业务员
        </Text>
        <Text className='reclaims__when'>执行于 {formatLocalTime(data.run.finishedAt)}</Text>
      </View>
      {groups.map((g) => (
        <View key={g.userId} className='reclaims__group' data-testid={`rep-${g.userId}`}>
          <View className='reclaims__rep'>
            <Text className='reclaims__rep-name'>{g.name}</Text>
            <Text className='reclaims__rep-count'>收回 {g.items.length} 个</Text>
          </View>
          {g.items.map((item) => (
            <View key={item.customerId} className='reclaims__row' onClick={() => Taro.navigateTo({ url: `/pages/customer/index?id=${item.customerId}` })}>
              <View className='reclaims__line'>
                <Text className='reclaims__customer'>{item.customerName}</Text>
                {item.rule?.kind ? <Text className='reclaims__kind'>{RULE_KIND_LABELS[item.rule.kind] ?? item.rule.kind}</Text> : null}
              </View>
              <Text className='reclaims__reason'>
                {item.reason || '规则收回'}
                {item.targetPool ? ` → ${item.targetPool.name}` : ''}
              </Text>
            </View>
          ))}
        </View>
      ))}
    </View>
  );
}

export default function ReclaimsPage() {
  return <SessionGate>{() => <Reclaims />}</SessionGate>;
}
