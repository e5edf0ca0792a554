import { Input, Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { Field } from '@/components/form-field';
import { SessionGate } from '@/components/session-gate';
import { api } from '@/services';
import { DEAL_STATUS_LABELS, formatAmount, type DealStatus } from '@/utils/timeline';
import './index.scss';

type Kind = 'followup' | 'deal';
type Banner = { tone: 'success' | 'error'; title: string; message: string } | null;

const FOLLOW_UP_KINDS = [
  { value: 'call', label: '电话' },
  { value: 'note', label: '拜访记录' },
  { value: 'message', label: '消息' },
] as const;

interface DealRow {
  id: number;
  title: string;
  amount: number;
  status: DealStatus;
}

function FollowUps({ customerId, initial }: { customerId: number; initial: Kind }) {
  const [kind, setKind] = useState<Kind>(initial);
  const [customerName, setCustomerName] = useState('');
  const [deals, setDeals] = useState<DealRow[]>([]);
  const [banner, setBanner] = useState<Banner>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const [fuKind, setFuKind] = useState<'call' | 'note' | 'message'>('call');
  const [content, setContent] = useState('');
  const [title, setTitle] = useState('');
  const [amount, setAmount] = useState('');
  const [stage, setStage] = useState<DealStatus>('open');

  const load = useCallback(() => {
    api.customers
      .profile(customerId)
      .then(({ customer }) => {
        setCustomerName(customer.name);
        setDeals(
          customer.timeline
            .filter((t) => t.type === 'deal')
            .map((t) => ({ id: Number(t.dealId), title: String(t.title), amount: Number(t.amount), status: t.status as DealStatus })),
        );
      })
      .catch((err: unknown) => setBanner({ tone: 'error', title: '加载失败', message: err instanceof Error ? err.message : '请重试' }));
  }, [customerId]);
  useEffect(load, [load]);

  const run = async (action: () => Promise<unknown>, done: Banner) => {
    if (busy) return;
    setBusy(true);
    setBanner(null);
    try {
      await action();
      setBanner(done);
      load();
    } catch (err) {
      setBanner({ tone: 'error', title: '没有保存', message: err instanceof Error ? err.message : '请重试' });
    } finally {
      setBusy(false);
    }
  };

  const saveFollowUp = () => {
    setError(null);
    if (!content.trim()) {
      setError('请填写跟进内容');
      return;
    }
    void run(async () => {
      await api.customers.followUp(customerId, { kind: fuKind, content: content.trim() });
      setContent('');
    }, { tone: 'success', title: '跟进已记录', message: '已更新该客户的「无跟进」计时，可在客户档案的动态中查看。' });
  };

  const saveDeal = () => {
    setError(null);
    const value = Number(amount.trim());
    if (!title.trim()) return setError('请填写商机名称');
    if (!amount.trim() || !Number.isFinite(value) || value < 0) return setError('请填写金额（元），例如 50000');
    if (value > 1e10) return setError('金额不能超过 100 亿元');
    void run(async () => {
      await api.customers.deal(customerId, { title: title.trim(), amount: value, status: stage });
      setTitle('');
      setAmount('');
      setStage('open');
    }, { tone: 'success', title: '商机已记录', message: stage === 'won' ? '已记为赢单，赢单会重置该客户的「未成交」计时。' : '可在下方随时标记赢单或输单。' });
  };

  const close = (deal: DealRow, status: 'won' | 'lost') =>
    void run(() => api.customers.setDealStatus(customerId, deal.id, status), {
      tone: 'success',
      title: `「${deal.title}」已标记为${DEAL_STATUS_LABELS[status]}`,
      message: status === 'won' ? '恭喜！赢单会重置该客户的「未成交」计时。' : '已关闭该商机。',
    });

  return (
    <View className='form follow'>
      <Text className='follow__customer'>{customerName}</Text>
      <View className='follow__tabs'>
        <Text className={`follow__tab ${kind === 'followup' ? 'follow__tab--on' : ''}`} onClick={() => setKind('followup')} data-testid='tab-followup'>
          写跟进
        </Text>
        <Text className={`follow__tab ${kind === 'deal' ? 'follow__tab--on' : ''}`} onClick={() => setKind('deal')} data-testid='tab-deal'>
          商机
        </Text>
      </View>

      {banner ? <ErrorBanner tone={banner.tone} title={banner.title} message={banner.message} /> : null}

      {kind === 'followup' ? (
        <View className='form__card'>
          <Field label='方式'>
            <View className='form__chips'>
              {FOLLOW_UP_KINDS.map((k) => (
                <Text key={k.value} className={`form__chip ${fuKind === k.value ? 'form__chip--on' : ''}`} onClick={() => setFuKind(k.value)}>
                  {k.label}
                </Text>
              ))}
            </View>
          </Field>
          <Field label='内容' error={error ?? undefined}>
            <Textarea className='form__textarea' placeholder='沟通了什么、客户怎么说、下一步' value={content} onInput={(e) => setContent(e.detail.value)} maxlength={2000} data-testid='follow-up-content' />
          </Field>
          <Text className={`form__submit follow__submit ${busy ? 'form__submit--busy' : ''}`} onClick={saveFollowUp} data-testid='save-follow-up'>
            {busy ? '保存中…' : '保存跟进'}
          </Text>
        </View>
      ) : (
        <View>
          <View className='form__card'>
            <Field label='商机名称'>
              <Input className='form__input' placeholder='如：2027 年度办公用品采购' value={title} onInput={(e) => setTitle(e.detail.value)} maxlength={200} data-testid='deal-title' />
            </Field>
            <Field label='金额（元）'>
              <Input className='form__input' type='digit' placeholder='50000' value={amount} onInput={(e) => setAmount(e.detail.value)} data-testid='deal-amount' />
            </Field>
            <Field label='阶段' error={error ?? undefined}>
              <View className='form__chips'>
                {(['open', 'won', 'lost'] as const).map((s) => (
                  <Text key={s} className={`form__chip ${stage === s ? 'form__chip--on' : ''}`} onClick={() => setStage(s)}>
                    {DEAL_STATUS_LABELS[s]}
                  </Text>
                ))}
              </View>
            </Field>
            <Text className={`form__submit follow__submit ${busy ? 'form__submit--busy' : ''}`} onClick={saveDeal} data-testid='save-deal'>
              {busy ? '保存中…' : '记录商机'}
            </Text>
          </View>
          <View className='form__card'>
            <Text className='form__label follow__list-title'>该客户的商机</Text>
            {deals.length === 0 ? <Text className='form__hint follow__empty'>还没有商机</Text> : null}
            {deals.map((d) => (
              <View key={d.id} className='follow__deal' data-testid={`deal-${d.id}`}>
                <View className='follow__deal-text'>
                  <Text className='follow__deal-title'>{d.title}</Text>
                  <Text className='form__hint'>
                    {formatAmount(d.amount)} · {DEAL_STATUS_LABELS[d.status]}
                  </Text>
                </View>
                {d.status === 'open' ? (
                  <View className='follow__deal-actions'>
                    <Text className='follow__won' onClick={() => close(d, 'won')} data-testid={`won-${d.id}`}>
                      赢单
                    </Text>
                    <Text className='follow__lost' onClick={() => close(d, 'lost')}>
                      输单
                    </Text>
                  </View>
                ) : null}
              </View>
            ))}
          </View>
        </View>
      )}
      <Text className='form__link follow__back' onClick={() => Taro.navigateBack().catch(() => Taro.redirectTo({ url: `/pages/customer/index?id=${customerId}` }))}>
        返回客户档案
      </Text>
    </View>
  );
}

/** 跟进与商机: record a call, visit note or message, or a deal (and close open deals as won or lost). */
export default function FollowUpPage() {
  const { params } = useRouter();
  const customerId = Number(params.customerId);
  if (!Number.isInteger(customerId) || customerId <= 0) return <ErrorBanner title='缺少客户' message='请从客户档案进入。' />;
  return <SessionGate>{() => <FollowUps customerId={customerId} initial={params.kind === 'deal' ? 'deal' : 'followup'} />}</SessionGate>;
}
