import { Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { useCallback, useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { Loading } from '@/components/loading';
import { SessionGate } from '@/components/session-gate';
import { api, type OnboardingStep } from '@/services';
import './index.scss';

function Checklist() {
  const [steps, setSteps] = useState<OnboardingStep[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    api.admin
      .onboarding()
      .then((r) => setSteps(r.steps))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : '加载失败'));
  }, []);
  // Back from a step's page, the list shows what that page changed.
  useDidShow(load);

  if (error) return <ErrorBanner title='加载失败' message={error} onRetry={load} />;
  if (!steps) return <Loading text='正在检查开通进度…' />;
  const left = steps.filter((s) => !s.done).length;
  return (
    <View className='onboarding'>
      <Text className='onboarding__summary' data-testid='onboarding-summary'>
        {left === 0 ? '全部完成，可以正式上线了' : `共 ${steps.length} 步，还有 ${left} 步待完成`}
      </Text>
      {steps.map((s, i) => (
        <View key={s.key} className={`onboarding__step ${s.done ? 'onboarding__step--done' : ''}`} data-testid={`step-${s.key}`}>
          <View className='onboarding__head'>
            <Text className='onboarding__title'>
              {i + 1}. {s.title}
            </Text>
            <Text className={`onboarding__state ${s.done ? 'onboarding__state--done' : ''}`} data-testid={`step-${s.key}-state`}>
              {s.done ? '✓ 已完成' : '待完成'}
            </Text>
          </View>
          <Text className='onboarding__detail' data-testid={`step-${s.key}-detail`}>
            {s.detail}
          </Text>
          {s.command ? <Text className='onboarding__command'>在服务器上运行：{s.command}</Text> : null}
          {s.page ? (
            <Text className='onboarding__link' onClick={() => Taro.navigateTo({ url: s.page! })} data-testid={`step-${s.key}-open`}>
              {s.done ? '查看' : '去完成'} ›
            </Text>
          ) : null}
        </View>
      ))}
    </View>
  );
}

/** 开通向导 (admin): the go-live steps, each done or not as the database says, with where to do it. */
export default function AdminOnboardingPage() {
  return (
    <SessionGate>
      {(session) => (session.user.roles.includes('admin') ? <Checklist /> : <ErrorBanner title='没有权限' message='开通向导只对管理员开放。' />)}
    </SessionGate>
  );
}
