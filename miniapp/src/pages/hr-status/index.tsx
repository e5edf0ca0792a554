import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro';
import { useCallback, useState } from 'react';
import { EmptyState } from '@/components/empty-state';
import { ErrorBanner } from '@/components/error-banner';
import { LevelTag } from '@/components/level-tag';
import { Loading } from '@/components/loading';
import { SessionGate } from '@/components/session-gate';
import { api, type AssignmentDto } from '@/services';
import { STATUS_HINT, STATUS_TEXT, countsText, itemStateText, statusTone } from '@/utils/assignment-status';
import './index.scss';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : '');

function StatusTag({ a }: { a: AssignmentDto }) {
  return (
    <Text className={`status__tag status__tag--${statusTone(a.status)}`} data-testid={`status-${a.id}`}>
      {STATUS_TEXT[a.status]}
    </Text>
  );
}

/** HR's requests, newest first (or one request with every customer's state); pull down or tap 刷新 to reload. */
function AssignmentStatus({ id }: { id: number | null }) {
  const [items, setItems] = useState<AssignmentDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refreshing, setRefreshing] = useState(false);

  const load = useCallback(async () => {
    setError(null);
    setRefreshing(true);
    try {
      setItems(id === null ? (await api.assignments.list({ limit: 50 })).items : [(await api.assignments.get(id)).assignment]);
    } catch (err) {
      setError(err instanceof Error ? err.message : '加载失败');
    } finally {
      setRefreshing(false);
    }
  }, [id]);
  useDidShow(() => void load());
  usePullDownRefresh(() => {
    void load().finally(() => Taro.stopPullDownRefresh());
  });

  const bar = (
    <View className='status__bar'>
      <Text className='status__muted'>{id === null ? '本企业的分配申请（最新在前）' : `分配申请 #${id}`}</Text>
      <Text className='status__refresh' onClick={() => void load()} data-testid='refresh'>
        {refreshing ? '刷新中…' : '刷新'}
      </Text>
    </View>
  );
  if (error) return <View className='status'>{bar}<ErrorBanner title='加载失败' message={error} onRetry={() => void load()} /></View>;
  if (!items) return <Loading />;
  if (items.length === 0) {
    return (
      <View className='status'>
        {bar}
        <EmptyState title='还没有分配申请' hint='在「新人分配」为新员工挑选客户并提交审批'>
          <Text className='status__go' onClick={() => Taro.navigateTo({ url: '/pages/hr/index' })}>
            去新人分配
          </Text>
        </EmptyState>
      </View>
    );
  }
  return (
    <View className='status'>
      {bar}
      {id === null ? (
        items.map((a) => (
          <View key={a.id} className='status__card' data-testid={`assignment-${a.id}`} onClick={() => Taro.navigateTo({ url: `/pages/hr-status/index?id=${a.id}` })}>
            <View className='status__line'>
              <Text className='status__who'>{a.assigneeName}</Text>
              <StatusTag a={a} />
            </View>
            <Text className='status__muted'>{countsText(a)}</Text>
            <Text className='status__muted'>
              {when(a.createdAt)} 发起{a.decidedAt ? ` · ${when(a.decidedAt)} ${STATUS_TEXT[a.status]}` : ''}
            </Text>
          </View>
        ))
      ) : (
        <Detail a={items[0]!} />
      )}
    </View>
  );
}

function Detail({ a }: { a: AssignmentDto }) {
  return (
    <View className='status__card' data-testid={`assignment-${a.id}`}>
      <View className='status__line'>
        <Text className='status__who'>{a.assigneeName}</Text>
        <StatusTag a={a} />
      </View>
      <Text className='status__hint'>{STATUS_HINT[a.status]}</Text>
      <Text className='status__muted' data-testid='counts'>
        {countsText(a)}
      </Text>
      <Text className='status__muted'>审批单号：{a.approvalInstanceId ?? '（未生成）'}</Text>
      <Text className='status__muted'>
        {when(a.createdAt)} 发起{a.status === 'pending' ? ` · ${when(a.expiresAt)} 前未审批将自动放回公海` : a.decidedAt ? ` · ${when(a.decidedAt)} ${STATUS_TEXT[a.status]}` : ''}
      </Text>
      {a.overrideCap ? <Text className='status__muted'>入职特批：不受持有上限限制</Text> : null}
      <Text className='status__reason'>{a.reason}</Text>
      <View className='status__items'>
        {a.items.map((i) => (
          <View key={i.customerId} className='status__item'>
            <View className='status__line'>
              <Text className='status__name'>{i.name}</Text>
              {i.level ? <LevelTag level={i.level} /> : null}
            </View>
            <Text className={`status__state status__state--${i.state}`}>{itemStateText(i.state, i.note)}</Text>
          </View>
        ))}
      </View>
    </View>
  );
}

/** 分配进度: HR's assignment requests and the approval's outcome for each customer. */
export default function HrStatusPage() {
  const router = useRouter();
  const id = router.params.id && /^\d+$/.test(router.params.id) ? Number(router.params.id) : null;
  return (
    <SessionGate>
      {(session) =>
        session.user.roles.some((r) => r === 'hr' || r === 'admin') ? (
          <AssignmentStatus id={id} />
        ) : (
          <ErrorBanner title='没有权限' message='分配进度只对人事和管理员开放。' />
        )
      }
    </SessionGate>
  );
}
