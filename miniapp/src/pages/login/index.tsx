import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { Loading } from '@/components/loading';
import { DEMO_TENANTS, DEMO_USERS, DemoLoginRequired } from '@/platform';
import { client, demoLoginCode, sandboxAvailable } from '@/services';
import { sessionStore } from '@/store/session';
import './index.scss';

type Mode = { kind: 'signing-in' } | { kind: 'picker' } | { kind: 'no-demo' } | { kind: 'error'; message: string };

const goHome = () => Taro.switchTab({ url: '/pages/map/index' });

/**
 * Login. Inside DingTalk/WeCom it signs in silently with the platform's code; in a plain browser with the sandbox on
 * it offers «以演示用户登录»: pick a demo company and user, the sandbox mints their login code.
 */
export default function Login() {
  const [mode, setMode] = useState<Mode>({ kind: 'signing-in' });
  const [tenant, setTenant] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);

  const start = () => {
    setMode({ kind: 'signing-in' });
    client
      .ensureSession()
      .then(() => {
        sessionStore.changed();
        return goHome();
      })
      .catch(async (err: unknown) => {
        if (err instanceof DemoLoginRequired) setMode((await sandboxAvailable(client)) ? { kind: 'picker' } : { kind: 'no-demo' });
        else setMode({ kind: 'error', message: err instanceof Error ? err.message : '登录失败，请重试' });
      });
  };
  useEffect(start, []);

  const loginAs = async (userId: string) => {
    const t = DEMO_TENANTS[tenant]!;
    setBusy(userId);
    try {
      await client.login(await demoLoginCode(client, t.platform, t.corpId, userId));
      sessionStore.changed();
      await goHome();
    } catch (err) {
      setMode({ kind: 'error', message: err instanceof Error ? err.message : '登录失败，请重试' });
    } finally {
      setBusy(null);
    }
  };

  if (mode.kind === 'signing-in') return <Loading text='正在登录…' />;
  if (mode.kind === 'error') return <ErrorBanner title='登录失败' message={mode.message} onRetry={start} />;
  if (mode.kind === 'no-demo') {
    return <ErrorBanner tone='warning' title='请从钉钉或企业微信打开' message='公海需要在钉钉或企业微信的工作台中打开；本服务器未开启演示沙箱，不能以演示用户登录。' />;
  }
  return (
    <View className='login'>
      <View className='login__head'>
        <Text className='login__title'>以演示用户登录</Text>
        <Text className='login__hint'>演示沙箱已开启：选择企业和用户，沙箱会像钉钉/企业微信一样签发登录码。</Text>
      </View>
      <View className='login__tenants'>
        {DEMO_TENANTS.map((t, i) => (
          <Text key={t.corpId} className={`login__tenant ${i === tenant ? 'login__tenant--on' : ''}`} onClick={() => setTenant(i)} data-testid={`tenant-${t.corpId}`}>
            {t.label}
          </Text>
        ))}
      </View>
      <View className='login__users'>
        {DEMO_USERS.map((u) => (
          <View key={u.userId} className='login__user' onClick={() => !busy && loginAs(u.userId)} data-testid={`login-as-${u.userId}`}>
            <View className='login__avatar'>
              <Text>{u.name.slice(-1)}</Text>
            </View>
            <View className='login__who'>
              <Text className='login__name'>{u.name}</Text>
              <Text className='login__title-line'>
                {u.userId} · {u.title}
              </Text>
            </View>
            <Text className='login__go'>{busy === u.userId ? '登录中…' : '登录'}</Text>
          </View>
        ))}
      </View>
    </View>
  );
}
