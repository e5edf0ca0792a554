import { Image, Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useRef, useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { SecurePhoto } from '@/components/secure-photo';
import { SessionGate } from '@/components/session-gate';
import { platform, type LocationFix } from '@/platform';
import { api, type VisitDto } from '@/services';
import { VERDICT_LABELS, fixFor, fixesFor, formatDwell, formatMetres, reasonTitle, type RiskReason } from '@/utils/risk-text';
import { VisitFlow, type Shot, type VisitState } from '@/utils/visit-flow';
import { taroDraftStore } from '@/utils/visit-drafts';
import './index.scss';

const FIX_COUNT = 3;

/** The page's VisitFlow: created once, resumed from storage, re-rendered on every change. */
function useVisitFlow(customerId: number): [VisitFlow, VisitState] {
  const flow = useRef<VisitFlow | null>(null);
  flow.current ??= new VisitFlow(customerId, { visits: api.visits, phone: platform, drafts: taroDraftStore, fixCount: FIX_COUNT });
  const [state, setState] = useState(flow.current.current);
  useEffect(() => {
    const f = flow.current!;
    const off = f.subscribe(setState);
    void f.resume();
    return off;
  }, []);
  return [flow.current, state];
}

function Reasons({ reasons }: { reasons: RiskReason[] }) {
  return (
    <View className='visit__reasons'>
      {reasons.map((r, i) => (
        <View key={`${r.code}-${i}`} className='visit__reason' data-testid={`reason-${r.code}`}>
          <Text className='visit__reason-title'>{reasonTitle(r.code)}</Text>
          <Text className='visit__reason-text'>{r.message}</Text>
        </View>
      ))}
    </View>
  );
}

function VerdictCard({ visit, final }: { visit: VisitDto; final: boolean }) {
  const reasons = visit.risk.reasons;
  return (
    <View className={`visit__verdict visit__verdict--${visit.verdict}`} data-testid='verdict'>
      <Text className='visit__verdict-label' data-testid='verdict-label'>
        {final ? '拜访结果：' : '签到结果：'}
        {VERDICT_LABELS[visit.verdict]}
      </Text>
      <Text className='visit__verdict-facts'>
        距客户 {formatMetres(visit.distanceM)}
        {final && visit.dwellS !== null ? ` · 停留 ${formatDwell(visit.dwellS)}` : ''}
        {final ? ` · ${visit.photos?.length ?? 0} 张照片` : ''}
      </Text>
      {visit.verdict === 'verified' && !final ? <Text className='visit__verdict-hint'>本次签到有效，已重新开始该客户的「无有效拜访」计时。</Text> : null}
      {visit.verdict === 'suspect' ? (
        <Text className='visit__verdict-hint'>{final ? '这次拜访不算有效拜访，将交由主管复核，原因如下：' : '签到已记录，但将交由主管复核，不计入有效拜访：'}</Text>
      ) : null}
      {reasons.length > 0 ? <Reasons reasons={reasons} /> : null}
      {final && visit.verdict !== 'verified' ? (
        <View className='visit__fixes'>
          {fixesFor(reasons).map((t) => (
            <Text key={t} className='visit__fix'>
              · {t}
            </Text>
          ))}
        </View>
      ) : null}
    </View>
  );
}

function FixList({ fixes }: { fixes: LocationFix[] }) {
  return (
    <View className='visit__fix-list' data-testid='fixes'>
      {fixes.map((f, i) => (
        <Text key={i} className='visit__fix-item'>
          第 {i + 1} 次定位 · 精度 ±{Math.round(f.accuracy)} 米{f.isMock ? ' · 模拟定位' : ''}
        </Text>
      ))}
    </View>
  );
}

function ShotView({ shot, onRetry }: { shot: Shot; onRetry: () => void }) {
  return (
    <View className='visit__shot' data-testid={`shot-${shot.status}`}>
      {shot.status === 'done' && shot.photo ? (
        <SecurePhoto url={shot.photo.url} alt='带水印的现场照片' />
      ) : shot.localPath ? (
        <Image className='visit__shot-local' src={shot.localPath} mode='aspectFill' />
      ) : null}
      <Text className={`visit__shot-status visit__shot-status--${shot.status}`}>
        {shot.status === 'uploading' ? '上传中…' : shot.status === 'done' ? `已加水印 · 存证 #${shot.photo?.chainSeq ?? ''}` : shot.error}
      </Text>
      {shot.status === 'failed' ? (
        <Text className='visit__shot-retry' onClick={onRetry}>
          重试
        </Text>
      ) : null}
      {shot.photo?.reused ? <Text className='visit__shot-status visit__shot-status--failed'>这张照片以前上传过，拜访会被标记为可疑</Text> : null}
    </View>
  );
}

function VisitScreen({ customerId }: { customerId: number }) {
  const [flow, s] = useVisitFlow(customerId);
  const [customer, setCustomer] = useState<{ name: string; address: string } | null>(null);
  const [notes, setNotes] = useState('');
  const [feedback, setFeedback] = useState('');

  useEffect(() => {
    api.customers
      .profile(customerId)
      .then((r) => setCustomer({ name: r.customer.name, address: r.customer.address }))
      .catch(() => undefined);
  }, [customerId]);

  const uploading = s.shots.some((x) => x.status === 'uploading');
  const busy = s.phase === 'locating' || s.phase === 'checking-in' || s.phase === 'finishing';

  return (
    <View className='visit'>
      <View className='visit__head'>
        <Text className='visit__customer' data-testid='visit-customer'>
          {customer?.name ?? '拜访签到'}
        </Text>
        {customer ? <Text className='visit__address'>{customer.address}</Text> : null}
      </View>

      {s.error ? <ErrorBanner title={s.unconfirmed ? '签到结果未确认' : '操作没有完成'} message={s.error} /> : null}

      {s.phase === 'ready' || s.phase === 'locating' || s.phase === 'checking-in' ? (
        <View className='visit__panel'>
          <Text className='visit__panel-title'>到达客户现场后签到</Text>
          <Text className='visit__panel-hint'>将连续定位 {FIX_COUNT} 次（每次间隔几秒），并记录设备信息；请保持在客户门店或办公地点附近。</Text>
          {s.fixes.length > 0 ? <FixList fixes={s.fixes} /> : null}
          <Text className={`visit__button ${busy ? 'visit__button--busy' : ''}`} onClick={() => void flow.checkIn()} data-testid='check-in'>
            {s.phase === 'locating'
              ? `正在定位（${s.fixes.length}/${FIX_COUNT}）…`
              : s.phase === 'checking-in'
                ? '正在提交签到…'
                : s.unconfirmed
                  ? '重新签到'
                  : '开始签到'}
          </Text>
        </View>
      ) : null}

      {s.phase === 'rejected' && s.rejection ? (
        <View className='visit__verdict visit__verdict--rejected' data-testid='verdict'>
          <Text className='visit__verdict-label' data-testid='verdict-label'>
            签到结果：被拒绝
          </Text>
          <Text className='visit__verdict-hint'>这次签到没有通过校验，不会计入拜访。原因：</Text>
          <Reasons reasons={s.rejection.reasons} />
          <Text className='visit__panel-title visit__panel-title--small'>怎么办</Text>
          <View className='visit__fixes'>
            {fixesFor(s.rejection.reasons).map((t) => (
              <Text key={t} className='visit__fix'>
                · {t}
              </Text>
            ))}
          </View>
          <Text className='visit__button' onClick={() => void flow.checkIn()} data-testid='check-in-again'>
            重新签到
          </Text>
        </View>
      ) : null}

      {(s.phase === 'open' || s.phase === 'finishing') && s.visit ? (
        <View>
          <VerdictCard visit={s.visit} final={false} />
          {s.fixes.length > 0 ? <FixList fixes={s.fixes} /> : null}
          <View className='visit__panel'>
            <Text className='visit__panel-title'>现场照片</Text>
            <Text className='visit__panel-hint'>只能用相机现场拍摄，服务器会加上时间、地点和你的名字水印。{fixFor('TOO_FEW_PHOTOS')}。</Text>
            <View className='visit__shots'>
              {s.shots.map((shot) => (
                <ShotView key={shot.id} shot={shot} onRetry={() => void flow.retryPhoto(shot.id)} />
              ))}
            </View>
            <Text className={`visit__button visit__button--light ${busy ? 'visit__button--busy' : ''}`} onClick={() => void flow.takePhoto()} data-testid='take-photo'>
              拍照
            </Text>
          </View>
          <View className='visit__panel'>
            <Text className='visit__panel-title'>拜访记录</Text>
            <Textarea className='visit__textarea' placeholder='谈了什么、见了谁、下一步（选填）' value={notes} onInput={(e) => setNotes(e.detail.value)} maxlength={2000} data-testid='notes' />
            <Textarea className='visit__textarea' placeholder='客户反馈（选填）' value={feedback} onInput={(e) => setFeedback(e.detail.value)} maxlength={2000} data-testid='feedback' />
          </View>
          <Text
            className={`visit__button ${busy || uploading ? 'visit__button--busy' : ''}`}
            onClick={() => void flow.finish({ notes: notes.trim(), feedback: feedback.trim() })}
            data-testid='finish'
          >
            {s.phase === 'finishing' ? '正在结束…' : uploading ? '照片上传中…' : '完成拜访'}
          </Text>
        </View>
      ) : null}

      {s.phase === 'finished' && s.visit ? (
        <View>
          <VerdictCard visit={s.visit} final />
          {s.shots.length > 0 ? (
            <View className='visit__panel'>
              <Text className='visit__panel-title'>现场照片</Text>
              <View className='visit__shots'>
                {s.shots.map((shot) => (
                  <ShotView key={shot.id} shot={shot} onRetry={() => undefined} />
                ))}
              </View>
            </View>
          ) : null}
          <Text className='visit__button' onClick={() => Taro.navigateBack().catch(() => Taro.redirectTo({ url: `/pages/customer/index?id=${customerId}` }))} data-testid='back-to-profile'>
            返回客户档案
          </Text>
        </View>
      ) : null}
    </View>
  );
}

/** 拜访签到: check in with location, take watermarked photos, write notes, finish. */
export default function VisitPage() {
  const { params } = useRouter();
  const customerId = Number(params.customerId);
  if (!Number.isInteger(customerId) || customerId <= 0) return <ErrorBanner title='缺少客户' message='请从客户档案进入拜访签到。' />;
  return <SessionGate>{() => <VisitScreen customerId={customerId} />}</SessionGate>;
}
