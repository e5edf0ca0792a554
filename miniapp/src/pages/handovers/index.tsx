import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { useCallback, useState } from 'react';
import { EmptyState } from '@/components/empty-state';
import { ErrorBanner } from '@/components/error-banner';
import { Loading } from '@/components/loading';
import { SessionGate } from '@/components/session-gate';
import { api, ApiError, type HandoverResult, type OrgUserDto, type PendingHandoverDto } from '@/services';
import { FORCEABLE_CODES, customersText, deadlineText } from '@/utils/handover-text';
import { SuccessorPicker } from './successor-picker';
import './index.scss';

type Step = { kind: 'idle' } | { kind: 'picking' } | { kind: 'confirm'; to: OrgUserDto; refusal: string | null };

/**
 * One leaver waiting for a successor: 选择交接人 opens the picker, the choice is confirmed in place, and a refusal the
 * manager may override (the successor's cap, pool membership) is shown with 强制交接.
 */
function HandoverCard({ item, now, onDone }: { item: PendingHandoverDto; now: number; onDone: (item: PendingHandoverDto, to: OrgUserDto, r: HandoverResult) => void }) {
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const [busy, setBusy] = useState(false);
  const deadline = deadlineText(item.deadline, now);

  const handOver = (to: OrgUserDto, force: boolean) => {
    if (busy) return;
    setBusy(true);
    api.handovers
      .handOver(item.userId, to.id, force)
      .then((r) => onDone(item, to, r))
      .catch((err: unknown) => {
        setBusy(false);
        const message = err instanceof Error ? err.message : '交接失败，请重试';
        if (err instanceof ApiError && FORCEABLE_CODES.includes(err.code) && !force) {
          setStep({ kind: 'confirm', to, refusal: message });
          return;
        }
        Taro.showToast({ title: message, icon: 'none' });
      });
  };

  return (
    <View className='handovers__card' data-testid={`handover-${item.userId}`}>
      <View className='handovers__head'>
        <Text className='handovers__name'>{item.userName}</Text>
        <Text className='handovers__muted'>已离职 · {new Date(item.departedAt).toLocaleString('zh-CN', { hour12: false, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' })}</Text>
      </View>
      <Text className={`handovers__deadline ${deadline.urgent ? 'handovers__deadline--urgent' : ''}`} data-testid='handover-deadline'>
        {deadline.text}
      </Text>
      <Text className='handovers__customers' data-testid='handover-customers'>
        {customersText(item.customerNames, item.customers)}
      </Text>
      {step.kind === 'idle' ? (
        <Text className='handovers__btn' onClick={() => setStep({ kind: 'picking' })} data-testid='pick-successor'>
          选择交接人
        </Text>
      ) : null}
      {step.kind === 'picking' ? (
        <View>
          <SuccessorPicker leaverId={item.userId} onPick={(to) => setStep({ kind: 'confirm', to, refusal: null })} />
          <Text className='handovers__link' onClick={() => setStep({ kind: 'idle' })}>
            取消
          </Text>
        </View>
      ) : null}
      {step.kind === 'confirm' ? (
        <View className='handovers__confirm' data-testid='handover-confirm'>
          <Text className='handovers__confirm-text'>
            把 {item.userName} 名下的 {item.customers} 个客户全部交接给 {step.to.name}（现持有 {step.to.owned} 个）？{step.to.name} 会收到一条列出这些客户的消息。
          </Text>
          {step.refusal ? <ErrorBanner title='不能直接交接' message={step.refusal} tone='warning' /> : null}
          <View className='handovers__buttons'>
            <Text className='handovers__btn handovers__btn--ghost' onClick={() => setStep({ kind: 'picking' })}>
              换一位
            </Text>
            {step.refusal ? (
              <Text className={`handovers__btn handovers__btn--warn ${busy ? 'handovers__btn--busy' : ''}`} onClick={() => handOver(step.to, true)} data-testid='handover-force'>
                强制交接
              </Text>
            ) : (
              <Text className={`handovers__btn ${busy ? 'handovers__btn--busy' : ''}`} onClick={() => handOver(step.to, false)} data-testid='handover-submit'>
                确认交接
              </Text>
            )}
          </View>
        </View>
      ) : null}
    </View>
  );
}

/**
 * 离职交接 (departure policy `successor`): the leavers in the manager's scope (an admin: all) whose customers wait for
 * a successor, the nearest deadline first; one handed over leaves the list and a banner says where the customers went.
 */
function Handovers() {
  const [items, setItems] = useState<PendingHandoverDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [banner, setBanner] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  const load = useCallback(async () => {
    setError(null);
    try {
      const r = await api.handovers.pending();
      setNow(Date.now());
      setItems(r.items);
    } catch (err) {
      setError(err instanceof Error ? err.message : '加载失败');
    }
  }, []);
  useDidShow(() => void load());
  usePullDownRefresh(() => {
    void load().finally(() => Taro.stopPullDownRefresh());
  });

  const onDone = (item: PendingHandoverDto, to: OrgUserDto, r: HandoverResult) => {
    setItems((old) => (old === null ? old : old.filter((x) => x.userId !== item.userId)));
    setBanner(`已交接：${item.userName} 的 ${r.transferred} 个客户已转到 ${to.name} 名下${r.notified ? '，已通知对方' : ''}`);
  };

  return (
    <View className='handovers'>
      {banner ? (
        <View className='handovers__banner' data-testid='handover-banner'>
          <Text>{banner}</Text>
        </View>
      ) : null}
      {error ? <ErrorBanner title='加载失败' message={error} onRetry={() => void load()} /> : null}
      {!error && !items ? <Loading /> : null}
      {items && items.length === 0 ? <EmptyState title='没有等待交接的离职员工' hint='离职员工的客户需要指定交接人时，会出现在这里' /> : null}
      {items && items.length > 0 ? (
        <View data-testid='handover-list'>
          <Text className='handovers__muted'>为每位离职员工指定一位接手的同事，一次交接其全部客户；逾期未指定，客户退回公海。</Text>
          {items.map((item) => (
            <HandoverCard key={item.userId} item={item} now={now} onDone={onDone} />
          ))}
        </View>
      ) : null}
    </View>
  );
}

export default function HandoversPage() {
  return <SessionGate>{() => <Handovers />}</SessionGate>;
}
