import { Input, Switch, Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { EmptyState } from '@/components/empty-state';
import { ErrorBanner } from '@/components/error-banner';
import { LevelTag } from '@/components/level-tag';
import { Loading } from '@/components/loading';
import { formatDistance } from '@/components/pool-map/types';
import { SessionGate } from '@/components/session-gate';
import { platform } from '@/platform';
import { PoolMap } from '@/platform/map';
import { ApiError, api, type CreateAssignmentResult, type CustomerDto, type OrgUserDto, type SuggestQuery, type UnavailableCustomer } from '@/services';
import { STATUS_TEXT } from '@/utils/assignment-status';
import {
  DEFAULT_COUNT,
  MAX_SUGGEST,
  addCustomer,
  addNextSuggestions,
  defaultReason,
  packFromSuggestion,
  packSummary,
  removeFromPack,
  suggestCountFor,
  toCreateBody,
  validateSubmit,
  type PackState,
} from '@/utils/starter-pack';
import { HirePicker, HireRow } from './hire-picker';
import './index.scss';

type Base = 'team' | 'me';
const MORE = 5;

/** The smallest "round" radius holding every customer of the pack, so the map frames it. */
const frameRadius = (maxM: number): number => [500, 1000, 2000, 3000, 5000, 10_000, 20_000, 50_000].find((r) => r >= maxM * 1.08) ?? Math.ceil(maxM * 1.1);

function HrAssign() {
  const router = useRouter();
  const [hire, setHire] = useState<OrgUserDto | null>(null);
  const [hireError, setHireError] = useState<string | null>(null);
  const [count, setCount] = useState(String(DEFAULT_COUNT));
  const [base, setBase] = useState<Base>('team');
  const [query, setQuery] = useState<SuggestQuery | null>(null);
  const [pack, setPack] = useState<PackState | null>(null);
  const [packError, setPackError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<CustomerDto[] | null>(null);
  const [reason, setReason] = useState('');
  const [reasonTouched, setReasonTouched] = useState(false);
  const [overrideCap, setOverrideCap] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<{ message: string; unavailable: UnavailableCustomer[] } | null>(null);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [result, setResult] = useState<CreateAssignmentResult | null>(null);

  // HR's chat prompt links here with ?assignee=<userId>: preselect that person.
  const preselect = router.params.assignee ? decodeURIComponent(router.params.assignee) : '';
  useEffect(() => {
    if (!preselect) return;
    api.org
      .users({ q: preselect, limit: 20 })
      .then((r) => {
        const u = r.items.find((x) => x.id === preselect);
        if (u) setHire(u);
        else setHireError(`没有找到员工「${preselect}」，请在下面重新选择`);
      })
      .catch((err: unknown) => setHireError(err instanceof Error ? err.message : '加载失败'));
  }, [preselect]);

  const suggest = useCallback(async () => {
    if (!hire) return;
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1 || n > MAX_SUGGEST) {
      setFieldError({ field: 'count', message: `客户数量须是 1 到 ${MAX_SUGGEST} 的整数` });
      return;
    }
    setFieldError(null);
    setPackError(null);
    setNotice(null);
    setResult(null);
    setLoading(true);
    try {
      let q: SuggestQuery = { assigneeUserId: hire.id, count: n };
      if (base === 'me') {
        const [fix] = await platform.locate({ count: 1 });
        q = { ...q, lat: fix!.lat, lng: fix!.lng, coord: fix!.coord };
      }
      const suggestion = await api.assignments.suggest(q);
      setQuery(q);
      setPack(packFromSuggestion(suggestion));
      if (suggestion.items.length < n) setNotice(`${hire.name} 可领取的公海客户只有 ${suggestion.items.length} 个（已排除预留 ${suggestion.excluded.reserved} 个、近期反复易手 ${suggestion.excluded.bounced} 个）`);
    } catch (err) {
      setPack(null);
      setPackError(err instanceof Error ? err.message : '推荐失败');
    } finally {
      setLoading(false);
    }
  }, [hire, count, base]);

  // A new hire or a new base asks again; the count waits for the button (typing would refetch per digit).
  useEffect(() => {
    void suggest();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [hire, base]);

  const more = async () => {
    if (!pack || !query) return;
    setNotice(null);
    try {
      const larger = await api.assignments.suggest({ ...query, count: suggestCountFor(pack, MORE) });
      const { state, added } = addNextSuggestions(pack, larger, MORE);
      setPack(state);
      setNotice(added === 0 ? '没有更多可推荐的客户了，可以在下面搜索公海客户添加' : `已添加 ${added} 个推荐客户`);
    } catch (err) {
      setNotice(err instanceof Error ? err.message : '推荐失败');
    }
  };

  const runSearch = async () => {
    const q = search.trim();
    if (!q) return setFound(null);
    try {
      setFound((await api.pool.customers({ q, limit: 20 })).items);
    } catch (err) {
      setNotice(err instanceof Error ? err.message : '搜索失败');
    }
  };

  const add = (c: CustomerDto) => {
    if (!pack) return;
    const { state, error } = addCustomer(pack, c);
    setPack(state);
    setNotice(error ?? `已添加「${c.name}」`);
  };

  const submit = async () => {
    const input = { assigneeUserId: hire?.id ?? null, items: pack?.items ?? [], reason, overrideCap };
    const invalid = validateSubmit(input);
    setFieldError(invalid);
    setSubmitError(null);
    if (invalid || submitting) return;
    setSubmitting(true);
    try {
      setResult(await api.assignments.create(toCreateBody(input)));
      // The result replaces the long form: start reading it from the top.
      void Taro.pageScrollTo({ scrollTop: 0, duration: 0 }).catch(() => undefined);
    } catch (err) {
      const unavailable = err instanceof ApiError ? ((err.details.unavailable as UnavailableCustomer[] | undefined) ?? []) : [];
      setSubmitError({ message: err instanceof Error ? err.message : '提交失败', unavailable });
    } finally {
      setSubmitting(false);
    }
  };

  // Until HR writes their own, the reason follows the pack's size.
  useEffect(() => {
    if (hire && pack && !reasonTouched) setReason(defaultReason(hire.name, pack.items.length));
  }, [hire, pack, reasonTouched]);

  const summary = useMemo(() => (pack ? packSummary(pack.items) : null), [pack]);
  const names = useMemo(() => new Map(pack?.items.map((i) => [i.id, i.name]) ?? []), [pack]);

  if (result) return <SubmitResult result={result} names={names} onAgain={() => { setResult(null); setPack(null); setHire(null); setReasonTouched(false); }} />;

  return (
    <View className='hr'>
      <View className='hr__section'>
        <Text className='hr__step'>1 · 新员工</Text>
        {hireError ? <ErrorBanner tone='warning' message={hireError} /> : null}
        {hire ? (
          <View>
            <HireRow user={hire} picked />
            <Text className='hr__link' onClick={() => { setHire(null); setPack(null); }} data-testid='change-hire'>
              更换
            </Text>
          </View>
        ) : (
          <HirePicker onPick={(u) => { setHire(u); setHireError(null); }} />
        )}
        {fieldError?.field === 'assignee' ? <Text className='hr__field-error'>{fieldError.message}</Text> : null}
      </View>

      {hire ? (
        <View className='hr__section'>
          <Text className='hr__step'>2 · 推荐客户</Text>
          <View className='hr__row'>
            <Text className='hr__label'>数量</Text>
            <Input className='hr__input hr__input--short' type='number' value={count} onInput={(e) => setCount(e.detail.value)} data-testid='count' />
            <Text className={`hr__chip ${base === 'team' ? 'hr__chip--on' : ''}`} onClick={() => setBase('team')} data-testid='base-team'>
              团队中心
            </Text>
            <Text className={`hr__chip ${base === 'me' ? 'hr__chip--on' : ''}`} onClick={() => setBase('me')} data-testid='base-me'>
              我的位置
            </Text>
            <Text className='hr__button hr__button--ghost' onClick={() => void suggest()} data-testid='suggest'>
              重新推荐
            </Text>
          </View>
          {fieldError?.field === 'count' ? <Text className='hr__field-error'>{fieldError.message}</Text> : null}
          {loading ? <Loading text='正在挑选离基地最近、等级均衡的公海客户…' /> : null}
          {packError ? <ErrorBanner title='无法推荐' message={packError} onRetry={() => void suggest()} /> : null}
          {notice ? <ErrorBanner tone='warning' message={notice} /> : null}
          {pack && summary && !loading ? (
            <View>
              <Text className='hr__summary' data-testid='pack-count'>
                已选 {summary.count} 个客户 · {summary.byLevel.map(([l, n]) => `${l} 级 ${n}`).join(' · ')}
                {summary.medianDistanceM !== null ? ` · 中位距离 ${formatDistance(summary.medianDistanceM)}` : ''}
              </Text>
              {pack.items.length > 0 ? (
                <PoolMap
                  center={pack.base}
                  radiusM={frameRadius(Math.max(...pack.items.map((i) => i.distanceM)))}
                  points={pack.items.map((i) => ({ id: i.id, lat: i.lat, lng: i.lng, label: i.name }))}
                  selectedId={selectedId}
                  onSelect={setSelectedId}
                />
              ) : null}
              <Text className='hr__muted'>地图中心是分配基地（{base === 'team' ? '团队客户的中心' : '我的位置'}）</Text>
              {pack.items.length === 0 ? (
                <EmptyState title='清单是空的' hint='点「再推荐 5 个」或搜索公海客户添加' />
              ) : (
                <View className='hr__list' data-testid='pack-list'>
                  {pack.items.map((i) => (
                    <View key={i.id} className={`hr__item ${i.id === selectedId ? 'hr__item--on' : ''}`} data-testid={`pack-${i.id}`} onClick={() => setSelectedId(i.id)}>
                      <View className='hr__item-main'>
                        <View className='hr__item-line'>
                          <Text className='hr__item-name'>{i.name}</Text>
                          <LevelTag level={i.level} />
                        </View>
                        {/* The server's reason already says the distance and level; a hand-picked one gets its distance here. */}
                        <Text className='hr__item-reason'>{i.source === 'added' ? `距基地 ${formatDistance(i.distanceM)} · ${i.reason}` : i.reason}</Text>
                        <Text className='hr__item-sub'>{i.address}</Text>
                      </View>
                      <Text className='hr__remove' onClick={(e) => { e.stopPropagation(); setPack(removeFromPack(pack, i.id)); }} data-testid={`remove-${i.id}`}>
                        移除
                      </Text>
                    </View>
                  ))}
                </View>
              )}
              <View className='hr__row'>
                <Text className='hr__button hr__button--ghost' onClick={() => void more()} data-testid='more'>
                  再推荐 {MORE} 个
                </Text>
              </View>
              <View className='hr__row'>
                <Input className='hr__input' placeholder='搜索公海客户名称' value={search} onInput={(e) => setSearch(e.detail.value)} onConfirm={() => void runSearch()} data-testid='pool-search' />
                <Text className='hr__button hr__button--ghost' onClick={() => void runSearch()}>
                  搜索
                </Text>
              </View>
              {found?.length === 0 ? <Text className='hr__muted'>公海中没有找到「{search}」</Text> : null}
              {found?.map((c) => (
                <View key={c.id} className='hr__item'>
                  <View className='hr__item-main'>
                    <View className='hr__item-line'>
                      <Text className='hr__item-name'>{c.name}</Text>
                      <LevelTag level={c.level} />
                    </View>
                    <Text className='hr__item-sub'>{c.address}</Text>
                  </View>
                  <Text className='hr__add' onClick={() => add(c)}>
                    {pack.items.some((i) => i.id === c.id) ? '已在清单' : '添加'}
                  </Text>
                </View>
              ))}
              {fieldError?.field === 'items' ? <Text className='hr__field-error'>{fieldError.message}</Text> : null}
            </View>
          ) : null}
        </View>
      ) : null}

      {pack ? (
        <View className='hr__section'>
          <Text className='hr__step'>3 · 提交审批</Text>
          <Textarea
            className='hr__textarea'
            value={reason}
            maxlength={500}
            placeholder='分配原因（审批人会看到）'
            onInput={(e) => { setReason(e.detail.value); setReasonTouched(true); }}
            data-testid='reason'
          />
          {fieldError?.field === 'reason' ? <Text className='hr__field-error'>{fieldError.message}</Text> : null}
          <View className='hr__row hr__row--between'>
            <Text className='hr__label'>入职特批（不受持有上限限制）</Text>
            <Switch checked={overrideCap} color='#d4380d' onChange={(e) => setOverrideCap(e.detail.value)} data-testid='override-cap' />
          </View>
          {overrideCap ? (
            <ErrorBanner tone='warning' message='特批会让新人持有的客户超过公海上限；审批单和客户台账都会记录这次特批，请只在新人入职时使用。' />
          ) : null}
          {submitError ? (
            <View>
              <ErrorBanner title='提交失败' message={submitError.message} />
              <UnavailableList items={submitError.unavailable} names={names} />
            </View>
          ) : null}
          <Text className={`hr__submit ${submitting ? 'hr__submit--busy' : ''}`} onClick={() => void submit()} data-testid='submit'>
            {submitting ? '正在发起审批…' : `提交审批（${pack.items.length} 个客户）`}
          </Text>
        </View>
      ) : null}
    </View>
  );
}

function UnavailableList({ items, names }: { items: UnavailableCustomer[]; names: Map<number, string> }) {
  if (items.length === 0) return null;
  return (
    <View className='hr__list' data-testid='unavailable'>
      {items.map((u) => (
        <View key={u.customerId} className='hr__unavailable'>
          <Text className='hr__item-name'>{names.get(u.customerId) ?? `客户 #${u.customerId}`}</Text>
          <Text className='hr__item-sub'>{u.message}</Text>
        </View>
      ))}
    </View>
  );
}

/** The 201 answer: the approval started, how many customers are held for the hire, and each one that could not be. */
function SubmitResult({ result, names, onAgain }: { result: CreateAssignmentResult; names: Map<number, string>; onAgain: () => void }) {
  const a = result.assignment;
  return (
    <View className='hr'>
      <View className='hr__section' data-testid='submit-result'>
        <Text className='hr__result-title'>已发起审批 · {STATUS_TEXT[a.status]}</Text>
        <Text className='hr__result-line'>
          为 {a.assigneeName} 预留 <Text data-testid='reserved-count'>{a.counts.reserved}</Text> 个客户，审批通过后归到其名下；
          {new Date(a.expiresAt).toLocaleString('zh-CN', { hour12: false })} 前未审批则自动放回公海。
        </Text>
        <Text className='hr__result-line' data-testid='approval-instance'>
          审批单号：{a.approvalInstanceId ?? '（未生成）'}
        </Text>
        {result.unavailable.length > 0 ? (
          <View>
            <Text className='hr__result-line'>以下 {result.unavailable.length} 个客户未能预留：</Text>
            <UnavailableList items={result.unavailable} names={names} />
          </View>
        ) : (
          <Text className='hr__result-line'>所选客户全部预留成功。</Text>
        )}
        <Text className='hr__submit' onClick={() => Taro.navigateTo({ url: `/pages/hr-status/index?id=${a.id}` })} data-testid='go-status'>
          查看分配进度
        </Text>
        <Text className='hr__link hr__link--center' onClick={onAgain}>
          再分配一位新人
        </Text>
      </View>
    </View>
  );
}

/** 新人分配: HR picks a new hire, edits the suggested starter pack on the map and list, and starts the approval. */
export default function HrPage() {
  return (
    <SessionGate>
      {(session) =>
        session.user.roles.includes('hr') ? <HrAssign /> : <ErrorBanner title='没有权限' message='新人分配只对人事开放；如需使用，请联系管理员为你开通人事角色。' />
      }
    </SessionGate>
  );
}
