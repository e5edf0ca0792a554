import { Input, Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import { EmptyState } from '@/components/empty-state';
import { ErrorBanner } from '@/components/error-banner';
import { Loading } from '@/components/loading';
import { SecurePhoto } from '@/components/secure-photo';
import { SessionGate } from '@/components/session-gate';
import { api, ApiError, type AppealDto, type VisitDto } from '@/services';
import { formatLocalTime } from '@/utils/dashboard-view';
import { formatDwell, formatMetres, reasonTitle, VERDICT_LABELS } from '@/utils/risk-text';
import { decisionBanner, reviewLine, reviewState, withoutVisit, type ReviewDecision } from '@/utils/visit-review';
import './index.scss';

type Filter = 'all' | 'suspect' | 'rejected' | 'appeals';
const FILTERS: { key: Filter; label: string }[] = [
  { key: 'all', label: '全部' },
  { key: 'suspect', label: '可疑' },
  { key: 'rejected', label: '被拒绝' },
  { key: 'appeals', label: '申诉' },
];
const PAGE = 20;
/** The visits' verdict a tab lists (none: all of them; the 申诉 tab lists no visits). */
const verdictOf = (f: Filter) => (f === 'suspect' || f === 'rejected' ? f : undefined);

/** 通过 / 驳回 with an optional note, on a finished suspect visit nobody has decided yet. */
function Decide({ v, onDecided }: { v: VisitDto; onDecided: (v: VisitDto, decision: ReviewDecision) => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const decide = (decision: ReviewDecision) => {
    if (busy) return;
    setBusy(true);
    api.visits
      .decide(v.id, { decision, note: note.trim() || undefined })
      .then(() => onDecided(v, decision))
      .catch((err: unknown) => {
        setBusy(false);
        Taro.showToast({ title: err instanceof Error ? err.message : '审核失败，请重试', icon: 'none' });
      });
  };
  return (
    <View className='review__decide'>
      <Input className='review__note' placeholder='审核意见（选填）' value={note} maxlength={500} onInput={(e) => setNote(e.detail.value)} data-testid='review-note' />
      <View className='review__buttons'>
        <Text className={`review__btn review__btn--approve ${busy ? 'review__btn--busy' : ''}`} data-testid='review-approve' onClick={() => decide('verified')}>
          通过
        </Text>
        <Text className={`review__btn review__btn--reject ${busy ? 'review__btn--busy' : ''}`} data-testid='review-reject' onClick={() => decide('rejected')}>
          驳回
        </Text>
      </View>
    </View>
  );
}

/** A rep's appeal against a reclaim: 同意 (the customer goes back to them) or 驳回, with an optional note. */
function AppealCard({ a, onDecided }: { a: AppealDto; onDecided: (a: AppealDto, accepted: boolean) => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const decide = (decision: 'accepted' | 'declined', force = false) => {
    if (busy) return;
    setBusy(true);
    api.appeals
      .decide(a.id, { decision, note: note.trim() || undefined, force })
      .then(() => onDecided(a, decision === 'accepted'))
      .catch((err: unknown) => {
        setBusy(false);
        const message = err instanceof Error ? err.message : '处理失败，请重试';
        // Over the rep's cap: the manager may still give it back, knowingly.
        if (err instanceof ApiError && err.code === 'owned_limit_reached' && !force) {
          Taro.showModal({ title: '超出持有上限', content: message, confirmText: '强制退回' }).then((r) => r.confirm && decide(decision, true));
          return;
        }
        Taro.showToast({ title: message, icon: 'none' });
      });
  };
  return (
    <View className='review__card' data-testid={`appeal-${a.id}`}>
      <View className='review__head'>
        <Text className='review__verdict review__verdict--suspect'>申诉</Text>
        <Text className='review__customer' onClick={() => Taro.navigateTo({ url: `/pages/customer/index?id=${a.customerId}` })}>
          {a.customerName}
        </Text>
      </View>
      <Text className='review__meta'>
        {a.userName ?? a.userId} · {formatLocalTime(a.reclaimedAt)} 被收回{a.reclaimReason ? `（${a.reclaimReason}）` : ''}
      </Text>
      <Text className='review__notes'>申诉理由：{a.reason}</Text>
      <View className='review__decide'>
        <Input className='review__note' placeholder='处理意见（选填）' value={note} maxlength={500} onInput={(e) => setNote(e.detail.value)} data-testid='appeal-note' />
        <View className='review__buttons'>
          <Text className={`review__btn review__btn--approve ${busy ? 'review__btn--busy' : ''}`} data-testid='appeal-accept' onClick={() => decide('accepted')}>
            同意
          </Text>
          <Text className={`review__btn review__btn--reject ${busy ? 'review__btn--busy' : ''}`} data-testid='appeal-decline' onClick={() => decide('declined')}>
            驳回
          </Text>
        </View>
      </View>
    </View>
  );
}

/** The open appeals of the manager's reps, newest first; a decided one leaves the list and a banner says what it did. */
function Appeals() {
  const [items, setItems] = useState<AppealDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [banner, setBanner] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    setItems(null);
    api.appeals
      .list('open')
      .then((r) => setItems(r.items))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : '加载失败'));
  }, []);
  // Mounted when the tab is chosen, after the page was shown: load then, and again whenever the page shows.
  useEffect(load, [load]);
  useDidShow(load);
  const onDecided = (a: AppealDto, accepted: boolean) => {
    setItems((old) => (old === null ? old : old.filter((x) => x.id !== a.id)));
    setBanner(accepted ? `已同意：「${a.customerName}」已退回 ${a.userName ?? a.userId} 名下` : `已驳回：「${a.customerName}」留在公海，已通知 ${a.userName ?? a.userId}`);
  };
  return (
    <View>
      {banner ? (
        <View className='review__banner' data-testid='appeal-banner'>
          <Text>{banner}</Text>
        </View>
      ) : null}
      {error ? <ErrorBanner title='加载失败' message={error} onRetry={load} /> : null}
      {!error && !items ? <Loading /> : null}
      {items && items.length === 0 ? <EmptyState title='没有待处理的申诉' hint='业务员对回收提出申诉后会出现在这里' /> : null}
      {items && items.length > 0 ? (
        <View data-testid='appeal-list'>
          {items.map((a) => (
            <AppealCard key={a.id} a={a} onDecided={onDecided} />
          ))}
        </View>
      ) : null}
    </View>
  );
}

function VisitCard({ v, onDecided }: { v: VisitDto; onDecided: (v: VisitDto, decision: ReviewDecision) => void }) {
  const state = reviewState(v);
  return (
    <View className='review__card' data-testid={`visit-${v.id}`}>
      <View className='review__head'>
        <Text className={`review__verdict review__verdict--${v.verdict}`}>{VERDICT_LABELS[v.verdict]}</Text>
        <Text className='review__customer' onClick={() => Taro.navigateTo({ url: `/pages/customer/index?id=${v.customerId}` })}>
          {v.customerName ?? `客户 ${v.customerId}`}
        </Text>
        <Text className='review__score'>风险分 {v.risk.score}</Text>
      </View>
      <Text className='review__meta'>
        {v.userName ?? v.userId} · {formatLocalTime(v.checkedInAt)} · 距客户 {formatMetres(v.distanceM)}
        {v.dwellS !== null ? ` · 停留 ${formatDwell(v.dwellS)}` : ''}
      </Text>
      <View className='review__reasons'>
        {v.risk.reasons.length === 0 ? <Text className='review__reason-msg'>没有记录原因</Text> : null}
        {v.risk.reasons.map((r) => (
          <View key={r.code} className='review__reason' data-testid={`reason-${r.code}`}>
            <Text className='review__reason-title'>
              {reasonTitle(r.code)}
              {r.detail ? <Text className='review__reason-detail'>（{r.detail}）</Text> : null}
            </Text>
            <Text className='review__reason-msg'>{r.message}</Text>
          </View>
        ))}
      </View>
      {v.notes ? <Text className='review__notes'>拜访记录：{v.notes}</Text> : null}
      {v.photos && v.photos.length > 0 ? (
        <View className='review__photos'>
          {v.photos.map((p) => (
            <View key={p.id} className='review__photo'>
              <SecurePhoto url={p.url} alt={`拜访照片 ${p.id}`} />
              {p.reused ? <Text className='review__reused'>重复照片</Text> : null}
            </View>
          ))}
        </View>
      ) : (
        <Text className='review__no-photo'>没有现场照片</Text>
      )}
      {v.review ? (
        <Text className='review__decided' data-testid='review-line'>
          {reviewLine(v.review)}
        </Text>
      ) : null}
      {state === 'open' ? <Text className='review__hint'>拜访还在进行中，销售结束拜访后才能审核</Text> : null}
      {state === 'decide' ? <Decide v={v} onDecided={onDecided} /> : null}
    </View>
  );
}

/**
 * 待审拜访: suspect and rejected check-ins of the manager's reps, newest first, with reasons, distance and photos; a
 * finished suspect visit is decided here (通过 / 驳回), leaves the list, and a banner says what it did to the countdown.
 */
function Review() {
  const [filter, setFilter] = useState<Filter>('all');
  const [items, setItems] = useState<VisitDto[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const [banner, setBanner] = useState<string | null>(null);
  // Answers of an earlier filter that arrive late are dropped.
  const generation = useRef(0);

  const load = useCallback((f: Filter) => {
    const g = ++generation.current;
    setError(null);
    setBanner(null);
    setItems(null);
    api.visits
      .review({ verdict: verdictOf(f), limit: PAGE })
      .then((r) => {
        if (g !== generation.current) return;
        setItems(r.items);
        setCursor(r.nextCursor);
      })
      .catch((err: unknown) => g === generation.current && setError(err instanceof Error ? err.message : '加载失败'));
  }, []);
  useDidShow(() => filter !== 'appeals' && load(filter));

  const loadMore = () => {
    if (!cursor || more) return;
    const g = generation.current;
    setMore(true);
    api.visits
      .review({ verdict: verdictOf(filter), limit: PAGE, cursor })
      .then((r) => {
        if (g !== generation.current) return;
        setItems((old) => [...(old ?? []), ...r.items]);
        setCursor(r.nextCursor);
      })
      .catch((err: unknown) => Taro.showToast({ title: err instanceof Error ? err.message : '加载失败', icon: 'none' }))
      .finally(() => setMore(false));
  };

  const onDecided = (v: VisitDto, decision: ReviewDecision) => {
    setItems((old) => (old === null ? old : withoutVisit(old, v.id)));
    setBanner(decisionBanner(v, decision));
  };

  return (
    <View className='review'>
      <View className='review__tabs'>
        {FILTERS.map((f) => (
          <Text
            key={f.key}
            className={`review__tab ${filter === f.key ? 'review__tab--on' : ''}`}
            data-testid={`filter-${f.key}`}
            onClick={() => {
              setFilter(f.key);
              if (f.key !== 'appeals') load(f.key);
            }}
          >
            {f.label}
          </Text>
        ))}
      </View>
      {filter === 'appeals' ? <Appeals /> : null}
      {filter !== 'appeals' && banner ? (
        <View className='review__banner' data-testid='review-banner'>
          <Text>{banner}</Text>
        </View>
      ) : null}
      {filter !== 'appeals' && error ? <ErrorBanner title='加载失败' message={error} onRetry={() => load(filter)} /> : null}
      {filter !== 'appeals' && !error && !items ? <Loading /> : null}
      {filter !== 'appeals' && items && items.length === 0 ? <EmptyState title='没有待审的拜访' hint='你团队的签到都通过了校验' /> : null}
      {filter !== 'appeals' && items && items.length > 0 ? (
        <View data-testid='review-list'>
          {items.map((v) => (
            <VisitCard key={v.id} v={v} onDecided={onDecided} />
          ))}
          {cursor ? (
            <Text className='review__more' onClick={loadMore}>
              {more ? '加载中…' : '加载更多'}
            </Text>
          ) : (
            <Text className='review__end'>共 {items.length} 条</Text>
          )}
        </View>
      ) : null}
    </View>
  );
}

export default function ReviewPage() {
  return <SessionGate>{() => <Review />}</SessionGate>;
}
