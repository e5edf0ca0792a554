import { Text, View } from '@tarojs/components';
import gcoord from 'gcoord';
import { useCallback, useEffect, useRef, useState } from 'react';
import { EmptyState } from '@/components/empty-state';
import { ErrorBanner } from '@/components/error-banner';
import { LevelTag } from '@/components/level-tag';
import { Loading } from '@/components/loading';
import { formatDistance } from '@/components/pool-map/types';
import { SessionGate } from '@/components/session-gate';
import { platform, type LocationFix } from '@/platform';
import { PoolMap } from '@/platform/map';
import { api, type CustomerDto, type NearbyItem } from '@/services';
import { explainClaimFailure } from '@/utils/claim-refusal';
import { claimBodyFor, takeLocationProof } from '@/utils/location-proof';
import { describeReclaim, ruleDaysFromAnchor } from '@/utils/reclaim';
import './index.scss';

const RADII = [
  { m: 500, label: '500 米' },
  { m: 1000, label: '1 公里' },
  { m: 3000, label: '3 公里' },
  { m: 5000, label: '5 公里' },
];

type Banner = { tone: 'success' | 'error' | 'warning'; title: string; message: string } | null;

/** The fix in GCJ-02, the system the customers and the native maps use. */
function toGcj02(fix: LocationFix): { lat: number; lng: number } {
  if (fix.coord === 'gcj02') return { lat: fix.lat, lng: fix.lng };
  const [lng, lat] = gcoord.transform([fix.lng, fix.lat], gcoord.WGS84, gcoord.GCJ02) as [number, number];
  return { lat, lng };
}

function PoolAroundMe() {
  const [fix, setFix] = useState<LocationFix | null>(null);
  const [locError, setLocError] = useState<string | null>(null);
  const [radius, setRadius] = useState(1000);
  const [view, setView] = useState<'map' | 'list'>('map');
  const [items, setItems] = useState<NearbyItem[] | null>(null);
  // The radius the shown customers were searched with: the summary and the ring describe what is on screen, not a
  // chip just tapped whose answer is still on its way.
  const [itemsRadius, setItemsRadius] = useState(radius);
  const latest = useRef(0);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [claiming, setClaiming] = useState<number | null>(null);
  const [banner, setBanner] = useState<Banner>(null);

  const locate = useCallback(() => {
    setLocError(null);
    platform
      .locate({ count: 1 })
      .then((fixes) => setFix(fixes[0]!))
      .catch((err: unknown) => setLocError(err instanceof Error ? err.message : '无法获取位置'));
  }, []);
  useEffect(locate, [locate]);

  const load = useCallback(() => {
    if (!fix) return;
    setLoadError(null);
    const asked = ++latest.current;
    api.pool
      .nearby({ lat: fix.lat, lng: fix.lng, coord: fix.coord, radius, limit: 200 })
      .then((r) => {
        // An answer overtaken by a later search (another chip tapped meanwhile) is dropped.
        if (asked !== latest.current) return;
        setItems(r.items);
        setItemsRadius(radius);
      })
      .catch((err: unknown) => {
        if (asked === latest.current) setLoadError(err instanceof Error ? err.message : '加载失败');
      });
  }, [fix, radius]);
  useEffect(load, [load]);

  const claim = async (item: NearbyItem) => {
    if (claiming) return;
    setClaiming(item.id);
    setBanner(null);
    try {
      // A pool with a claim radius ("claim what you can visit") judges fresh fixes and a nonce, as a check-in does.
      const prove = () => {
        setBanner({ tone: 'warning', title: '正在定位', message: `该公海要求在客户 ${item.claimRadiusM} 米内领取，正在确认你的位置…` });
        return takeLocationProof({ phone: platform, nonce: api.visits.nonce, fixCount: 2, fixIntervalMs: 2000 });
      };
      const { customer } = await api.customers.claim(item.id, await claimBodyFor(item, fix, prove));
      setItems((list) => list?.filter((c) => c.id !== item.id) ?? null);
      setSelectedId(null);
      setBanner({ tone: 'success', title: `已领取「${customer.name}」`, message: claimedText(customer) });
    } catch (err) {
      const { title, message } = explainClaimFailure(err);
      setBanner({ tone: 'error', title, message });
      // Someone else has it now: it is no longer in the pool.
      if (title === '已被他人领取') setItems((list) => list?.filter((c) => c.id !== item.id) ?? null);
    } finally {
      setClaiming(null);
    }
  };

  const center = fix ? toGcj02(fix) : null;
  const selected = items?.find((c) => c.id === selectedId) ?? null;

  return (
    <View className='pool'>
      <View className='pool__bar'>
        <View className='pool__radii'>
          {RADII.map((r) => (
            <Text key={r.m} className={`pool__chip ${r.m === radius ? 'pool__chip--on' : ''}`} onClick={() => setRadius(r.m)} data-testid={`radius-${r.m}`}>
              {r.label}
            </Text>
          ))}
        </View>
        <View className='pool__views'>
          <Text className={`pool__view ${view === 'map' ? 'pool__view--on' : ''}`} onClick={() => setView('map')} data-testid='view-map'>
            地图
          </Text>
          <Text className={`pool__view ${view === 'list' ? 'pool__view--on' : ''}`} onClick={() => setView('list')} data-testid='view-list'>
            列表
          </Text>
        </View>
      </View>

      {locError ? <ErrorBanner title='无法获取位置' message={locError} onRetry={locate} /> : null}
      {loadError ? <ErrorBanner title='加载失败' message={loadError} onRetry={load} /> : null}
      {banner ? <ErrorBanner tone={banner.tone} title={banner.title} message={banner.message} /> : null}

      {!fix && !locError ? <Loading text='正在定位…' /> : null}
      {fix && items === null && !loadError ? <Loading text='正在查找附近的公海客户…' /> : null}

      {fix && items ? (
        <Text className='pool__summary' data-testid='nearby-count'>
          附近 {formatDistance(itemsRadius)}内 {items.length} 个公海客户 · 定位精度 ±{Math.round(fix.accuracy)} 米
        </Text>
      ) : null}

      {center && items && view === 'map' ? (
        <View>
          <PoolMap center={center} radiusM={itemsRadius} points={items.map((c) => ({ id: c.id, lat: c.lat, lng: c.lng, label: c.name }))} selectedId={selectedId} onSelect={setSelectedId} />
          {selected ? (
            <View className='pool__card' data-testid='selected-card'>
              <CustomerLine item={selected} />
              <Text className={`pool__claim ${claiming === selected.id ? 'pool__claim--busy' : ''}`} onClick={() => claim(selected)} data-testid={`claim-${selected.id}`}>
                {claiming === selected.id ? '领取中…' : '领取'}
              </Text>
            </View>
          ) : (
            <Text className='pool__hint'>点击地图上的蓝点查看客户，一键领取</Text>
          )}
        </View>
      ) : null}

      {items && view === 'list' ? (
        items.length === 0 ? (
          <EmptyState title='附近没有公海客户' hint='扩大范围试试，或到客户集中的区域再看看' />
        ) : (
          <View className='pool__list' data-testid='nearby-list'>
            {items.map((c) => (
              <View key={c.id} className='pool__row' data-testid={`row-${c.id}`}>
                <CustomerLine item={c} />
                <Text className={`pool__claim ${claiming === c.id ? 'pool__claim--busy' : ''}`} onClick={() => claim(c)} data-testid={`claim-${c.id}`}>
                  {claiming === c.id ? '领取中…' : '领取'}
                </Text>
              </View>
            ))}
          </View>
        )
      ) : null}
    </View>
  );
}

function CustomerLine({ item }: { item: NearbyItem }) {
  return (
    <View className='pool__who'>
      <View className='pool__name-line'>
        <Text className='pool__name' data-testid='customer-name'>
          {item.name}
        </Text>
        <LevelTag level={item.level} />
      </View>
      <Text className='pool__addr'>
        {formatDistance(item.distanceM)} · {item.address}
      </Text>
    </View>
  );
}

function claimedText(c: CustomerDto): string {
  if (!c.reclaim) return '已加入「我的客户」。';
  const d = describeReclaim({ ...c.reclaim, days: ruleDaysFromAnchor(c) ?? undefined }, Date.now());
  return `已加入「我的客户」，回收倒计时${d.left}（${d.reason}）：有效拜访或跟进会重新计时。`;
}

/** 公海: pool customers around me on a map or in a list, with the radius choice and one-tap claim. */
export default function MapPage() {
  return <SessionGate>{() => <PoolAroundMe />}</SessionGate>;
}

