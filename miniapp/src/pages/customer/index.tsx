import { Input, Text, View } from '@tarojs/components';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { CountdownBadge } from '@/components/countdown-badge';
import { EmptyState } from '@/components/empty-state';
import { ErrorBanner } from '@/components/error-banner';
import { LevelTag } from '@/components/level-tag';
import { Loading } from '@/components/loading';
import { SecurePhoto } from '@/components/secure-photo';
import { SessionGate } from '@/components/session-gate';
import { platform } from '@/platform';
import { api, type ContactDto, type CustomerProfile, type LoginResult } from '@/services';
import { explainClaimFailure } from '@/utils/claim-refusal';
import { describeReclaim, ruleDaysFromAnchor } from '@/utils/reclaim';
import { describeTimeline, formatWhen, type RawTimelineItem, type TimelineEntry } from '@/utils/timeline';
import { ContactSheet } from './contact-sheet';
import { EditSheet } from './edit-sheet';
import './index.scss';

type Banner = { tone: 'success' | 'error' | 'warning'; title: string; message: string } | null;

/** 全景档案: everything the company knows about one customer, whoever holds it now. */
function Profile({ id, session }: { id: number; session: LoginResult }) {
  const [customer, setCustomer] = useState<CustomerProfile | null>(null);
  const [pools, setPools] = useState<Map<number, string>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [banner, setBanner] = useState<Banner>(null);
  const [busy, setBusy] = useState(false);
  const [releasing, setReleasing] = useState(false);
  const [editing, setEditing] = useState(false);
  /** The contact sheet: `null` adds one; undefined: closed. */
  const [contactSheet, setContactSheet] = useState<ContactDto | null | undefined>(undefined);

  const load = useCallback(() => {
    setError(null);
    api.customers
      .profile(id)
      .then((r) => setCustomer(r.customer))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : '加载失败'));
    // Pool names only label ownership events; the profile shows without them.
    api.pool
      .pools()
      .then((r) => setPools(new Map(r.items.map((p) => [p.id, p.name]))))
      .catch(() => undefined);
  }, [id]);
  // Reload whenever shown: after a visit or a follow-up the timeline has grown.
  useDidShow(load);

  if (error) return <ErrorBanner title='加载失败' message={error} onRetry={load} />;
  if (!customer) return <Loading />;

  const now = Date.now();
  const mine = customer.ownerId === session.user.id;
  const inPool = customer.status === 'pool';
  const go = (url: string) => Taro.navigateTo({ url });

  const claim = async () => {
    if (busy) return;
    setBusy(true);
    setBanner(null);
    try {
      // Pools with a claim radius need where the rep is; without a fix the server explains what is missing.
      const fix = await platform
        .locate({ count: 1 })
        .then((f) => f[0])
        .catch(() => undefined);
      await api.customers.claim(customer.id, fix ? { lat: fix.lat, lng: fix.lng, accuracy: fix.accuracy, coord: fix.coord } : {});
      setBanner({ tone: 'success', title: `已领取「${customer.name}」`, message: '已加入「我的客户」，记得按时拜访跟进。' });
      load();
    } catch (err) {
      const { title, message } = explainClaimFailure(err);
      setBanner({ tone: 'error', title, message });
      if (title === '已被他人领取') load();
    } finally {
      setBusy(false);
    }
  };

  const days = ruleDaysFromAnchor(customer);
  const reclaim = customer.reclaim ? describeReclaim({ ...customer.reclaim, days: days ?? undefined }, now) : null;
  const entries = describeTimeline(customer.timeline as RawTimelineItem[], now, pools);

  return (
    <View className='profile'>
      <View className='profile__card'>
        <View className='profile__title-line'>
          <Text className='profile__name' data-testid='profile-name'>
            {customer.name}
          </Text>
          <LevelTag level={customer.level} />
        </View>
        <Text className='profile__address'>{customer.address}</Text>
        <View className='profile__facts'>
          <Text className={`profile__status profile__status--${inPool ? 'pool' : 'owned'}`} data-testid='profile-status'>
            {inPool ? `公海中 · ${pools.get(customer.poolId) ?? '公海'}` : mine ? '我负责' : `负责人：${customer.ownerName ?? customer.ownerId}`}
          </Text>
          {customer.ownedSince ? <Text className='profile__since'>{formatWhen(customer.ownedSince, now)} 起持有</Text> : null}
        </View>
        {customer.reclaim && reclaim ? (
          <View className={`profile__reclaim profile__reclaim--${reclaim.urgency}`} data-testid='profile-reclaim'>
            <CountdownBadge reclaim={{ ...customer.reclaim, days: days ?? undefined }} now={now} />
            <Text className='profile__reclaim-text'>
              到期未达标将自动收回公海，收回时间 {formatWhen(customer.reclaim.dueDate, now)}
            </Text>
          </View>
        ) : null}
        {inPool && customer.reserved ? <Text className='profile__note'>该客户已被人事预留给新员工，审批期间不能领取。</Text> : null}
        {inPool && customer.priorOwnerId === session.user.id && customer.priorOwnerBlockedUntil ? (
          <Text className='profile__note'>你是它的上一位负责人，{formatWhen(customer.priorOwnerBlockedUntil, now)} 前不能再次领取。</Text>
        ) : null}
      </View>

      {banner ? <ErrorBanner tone={banner.tone} title={banner.title} message={banner.message} /> : null}

      {mine ? (
        <View className='profile__actions'>
          <Text className='profile__action profile__action--primary' onClick={() => go(`/pages/visit/index?customerId=${customer.id}`)} data-testid='action-visit'>
            拜访签到
          </Text>
          <Text className='profile__action' onClick={() => go(`/pages/follow-up/index?customerId=${customer.id}&kind=followup`)} data-testid='action-follow-up'>
            写跟进
          </Text>
          <Text className='profile__action' onClick={() => go(`/pages/follow-up/index?customerId=${customer.id}&kind=deal`)} data-testid='action-deal'>
            记商机
          </Text>
          <Text className='profile__action profile__action--danger' onClick={() => setReleasing(true)} data-testid='action-release'>
            退回公海
          </Text>
        </View>
      ) : inPool ? (
        <View className='profile__actions'>
          <Text className={`profile__action profile__action--primary ${busy ? 'profile__action--busy' : ''}`} onClick={claim} data-testid='action-claim'>
            {busy ? '领取中…' : '领取'}
          </Text>
        </View>
      ) : null}
      {customer.editable ? (
        <View className='profile__actions'>
          <Text className='profile__action' onClick={() => setEditing(true)} data-testid='action-edit'>
            编辑资料
          </Text>
        </View>
      ) : null}

      {editing ? (
        <EditSheet
          customer={customer}
          admin={session.user.roles.includes('admin')}
          onCancel={() => setEditing(false)}
          onDone={(updated) => {
            setEditing(false);
            setCustomer(updated);
            setBanner({ tone: 'success', title: '已保存', message: '修改已记入动态。' });
          }}
        />
      ) : null}

      {releasing ? (
        <ReleaseSheet
          customerId={customer.id}
          onCancel={() => setReleasing(false)}
          onDone={(name) => {
            setReleasing(false);
            setBanner({ tone: 'success', title: `已退回「${name}」`, message: '客户已回到公海，冷却期内你不能再次领取。' });
            load();
          }}
        />
      ) : null}

      <Section title='联系人'>
        {customer.contacts.length === 0 ? (
          <Text className='profile__muted'>还没有联系人</Text>
        ) : (
          customer.contacts.map((c) => (
            <View key={c.id} className='profile__contact' data-testid='contact-row' onClick={customer.editable ? () => setContactSheet(c) : undefined}>
              <Text className='profile__contact-name'>
                {c.name}
                {c.title ? <Text className='profile__muted'> · {c.title}</Text> : null}
              </Text>
              <Text className='profile__phone' data-testid='contact-phone'>
                {c.phone ?? '无电话'}
              </Text>
            </View>
          ))
        )}
        {!mine && customer.contacts.some((c) => c.phone?.includes('*')) ? <Text className='profile__muted'>领取后可查看完整电话</Text> : null}
        {customer.editable ? (
          <Text className='profile__link' onClick={() => setContactSheet(null)} data-testid='action-add-contact'>
            ＋ 添加联系人{customer.contacts.length > 0 ? '（点联系人可编辑）' : ''}
          </Text>
        ) : null}
        {contactSheet !== undefined ? (
          <ContactSheet
            customerId={customer.id}
            contact={contactSheet}
            onCancel={() => setContactSheet(undefined)}
            onDone={(message) => {
              setContactSheet(undefined);
              setBanner({ tone: 'success', title: message, message: '修改已记入动态。' });
              load();
            }}
          />
        ) : null}
      </Section>

      <Section title='位置'>
        <View className='profile__location'>
          <Text className='profile__muted'>
            {customer.lat.toFixed(6)}, {customer.lng.toFixed(6)}（GCJ-02）
          </Text>
          <Text
            className='profile__nav'
            data-testid='action-navigate'
            onClick={() =>
              platform.openLocation({ lat: customer.lat, lng: customer.lng, name: customer.name, address: customer.address }).catch((err: unknown) =>
                setBanner({ tone: 'error', title: '无法打开地图', message: err instanceof Error ? err.message : '请稍后重试' }),
              )
            }
          >
            导航
          </Text>
        </View>
      </Section>

      <Section title={`动态（${entries.length}）`}>
        {entries.length === 0 ? <EmptyState title='暂无动态' /> : <Timeline entries={entries} />}
      </Section>
    </View>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <View className='profile__section'>
      <Text className='profile__section-title'>{title}</Text>
      {children}
    </View>
  );
}

function Timeline({ entries }: { entries: TimelineEntry[] }) {
  return (
    <View className='timeline' data-testid='timeline'>
      {entries.map((e) => (
        <View key={e.key} className={`timeline__item timeline__item--${e.tone}`} data-testid={`timeline-${e.kind}`}>
          <View className='timeline__head'>
            <Text className={`timeline__tag timeline__tag--${e.tone}`}>{e.tag}</Text>
            <Text className='timeline__when'>{e.when}</Text>
          </View>
          <Text className='timeline__title'>{e.title}</Text>
          {e.lines.map((line, i) => (
            <Text key={i} className='timeline__line'>
              {line}
            </Text>
          ))}
          {e.photos && e.photos.length > 0 ? (
            <View className='timeline__photos'>
              {e.photos.map((p) => (
                <SecurePhoto key={p.id} url={p.url} alt={`拜访照片 ${p.id}`} />
              ))}
            </View>
          ) : null}
        </View>
      ))}
    </View>
  );
}

/** 退回公海: a reason from the tenant's list (required by the server) and an optional note. */
function ReleaseSheet({ customerId, onCancel, onDone }: { customerId: number; onCancel: () => void; onDone: (name: string) => void }) {
  const [reasons, setReasons] = useState<string[] | null>(null);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.customers
      .releaseReasons()
      .then((r) => setReasons(r.items))
      .catch((err: unknown) => {
        setReasons([]);
        setError(err instanceof Error ? err.message : '加载退回原因失败');
      });
  }, []);

  const submit = async () => {
    if (busy) return;
    if (!reason) {
      setError('请选择退回原因');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { customer } = await api.customers.release(customerId, { reason, note: note.trim() || undefined });
      onDone(customer.name);
    } catch (err) {
      setError(err instanceof Error ? err.message : '退回失败，请重试');
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='sheet' data-testid='release-sheet'>
      <Text className='sheet__title'>退回公海</Text>
      <Text className='sheet__hint'>退回后客户回到公海，其他同事可以领取；你在冷却期内不能再次领取。</Text>
      <View className='sheet__chips'>
        {(reasons ?? []).map((r) => (
          <Text key={r} className={`sheet__chip ${r === reason ? 'sheet__chip--on' : ''}`} onClick={() => setReason(r)}>
            {r}
          </Text>
        ))}
      </View>
      <Input className='sheet__input' placeholder='补充说明（选填）' value={note} onInput={(e) => setNote(e.detail.value)} maxlength={200} />
      {error ? <Text className='sheet__error'>{error}</Text> : null}
      <View className='sheet__buttons'>
        <Text className='sheet__button' onClick={onCancel}>
          取消
        </Text>
        <Text className={`sheet__button sheet__button--danger ${busy ? 'sheet__button--busy' : ''}`} onClick={submit} data-testid='release-confirm'>
          {busy ? '提交中…' : '确认退回'}
        </Text>
      </View>
    </View>
  );
}

export default function CustomerPage() {
  const { params } = useRouter();
  const id = Number(params.id);
  if (!Number.isInteger(id) || id <= 0) return <ErrorBanner title='缺少客户' message='链接里没有客户编号，请从「我的客户」或「公海」进入。' />;
  return <SessionGate>{(session) => <Profile id={id} session={session} />}</SessionGate>;
}
