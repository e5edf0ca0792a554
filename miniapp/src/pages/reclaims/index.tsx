import { Input, Text, View } from '@tarojs/components';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { useCallback, useState } from 'react';
import { EmptyState } from '@/components/empty-state';
import { ErrorBanner } from '@/components/error-banner';
import { Loading } from '@/components/loading';
import { SessionGate } from '@/components/session-gate';
import { api, type LatestReclaimsResponse, type ReclaimedItem } from '@/services';
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

const APPEAL_STATUS: Record<string, string> = { open: '申诉中，等待经理处理', accepted: '申诉已通过', declined: '申诉已驳回' };

/** One reclaimed customer: its reason and deadline, and 申诉 with a reason while the window is open. */
function ReclaimedRow({ item, onFiled }: { item: ReclaimedItem; onFiled: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const file = () => {
    if (busy) return;
    if (!reason.trim()) {
      Taro.showToast({ title: '请填写申诉理由', icon: 'none' });
      return;
    }
    setBusy(true);
    api.appeals
      .file(item.customerId, reason.trim())
      .then(() => {
        Taro.showToast({ title: '已提交申诉，等待经理处理', icon: 'none' });
        onFiled();
      })
      .catch((err: unknown) => {
        setBusy(false);
        Taro.showToast({ title: err instanceof Error ? err.message : '提交失败，请重试', icon: 'none' });
      });
  };
  return (
    <View className='reclaims__row' data-testid={`reclaimed-${item.customerId}`}>
      <View className='reclaims__line'>
        <Text className='reclaims__customer' onClick={() => Taro.navigateTo({ url: `/pages/customer/index?id=${item.customerId}` })}>
          {item.customerName}
        </Text>
        {item.appeal ? (
          <Text className='reclaims__kind' data-testid='appeal-status'>{APPEAL_STATUS[item.appeal.status] ?? item.appeal.status}</Text>
        ) : (
          <Text className='reclaims__appeal' data-testid='appeal-open' onClick={() => setOpen(!open)}>
            申诉
          </Text>
        )}
      </View>
      <Text className='reclaims__reason'>
        {formatLocalTime(item.reclaimedAt)} 收回：{item.reason || '触发回收规则'}
        {item.appeal ? '' : `；${formatLocalTime(item.appealUntil)} 前可申诉`}
      </Text>
      {item.appeal?.note ? <Text className='reclaims__reason'>处理意见：{item.appeal.note}</Text> : null}
      {open && !item.appeal ? (
        <View className='reclaims__form'>
          <Input className='reclaims__input' placeholder='申诉理由（例如：已拜访但定位异常）' value={reason} maxlength={500} onInput={(e) => setReason(e.detail.value)} data-testid='appeal-reason' />
          <Text className={`reclaims__submit ${busy ? 'reclaims__submit--busy' : ''}`} data-testid='appeal-submit' onClick={file}>
            提交申诉
          </Text>
        </View>
      ) : null}
    </View>
  );
}

/** 被收回的客户: what the sweep took back from the rep in the last few days, each with 申诉 while it may be appealed. */
function MyReclaims() {
  const [data, setData] = useState<{ appealDays: number; items: ReclaimedItem[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    api.appeals
      .reclaimed()
      .then(setData)
      .catch((err: unknown) => setError(err instanceof Error ? err.message : '加载失败'));
  }, []);
  useDidShow(() => {
    Taro.setNavigationBarTitle({ title: '被收回的客户' });
    load();
  });

  if (error) return <ErrorBanner title='加载失败' message={error} onRetry={load} />;
  if (!data) return <Loading />;
  if (data.items.length === 0) return <EmptyState title={`最近 ${data.appealDays} 天没有客户被收回`} hint='客户被规则收回后，可在这里对收回提出申诉' />;
  return (
    <View className='reclaims' data-testid='my-reclaims'>
      <View className='reclaims__summary'>
        <Text className='reclaims__title'>最近 {data.appealDays} 天被收回 {data.items.length} 个客户</Text>
        <Text className='reclaims__when'>认为收回有误？在 {data.appealDays} 天内提出申诉，经理同意后客户退回你的名下</Text>
      </View>
      <View className='reclaims__group'>
        {data.items.map((item) => (
          <ReclaimedRow key={item.customerId} item={item} onFiled={load} />
        ))}
      </View>
    </View>
  );
}

export default function ReclaimsPage() {
  const { params } = useRouter();
  return <SessionGate>{() => (params.mine ? <MyReclaims /> : <Reclaims />)}</SessionGate>;
}
