import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { DemoLoginRequired } from '@/platform';
import { client, type LoginResult } from '@/services';
import { sessionStore } from '@/store/session';

export type SessionState =
  | { status: 'loading'; session: null; error: null }
  | { status: 'ready'; session: LoginResult; error: null }
  | { status: 'error'; session: null; error: string };

const LOGIN_PAGE = '/pages/login/index';

/**
 * The page's session: signs in silently through the platform when needed (DingTalk/WeCom), or sends a plain browser
 * to the demo login page. Pages render only once it is ready.
 */
export function useSession(): SessionState & { retry: () => void } {
  const [state, setState] = useState<SessionState>(() => {
    const s = sessionStore.get();
    return s ? { status: 'ready', session: s, error: null } : { status: 'loading', session: null, error: null };
  });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => sessionStore.subscribe((s) => setState(s ? { status: 'ready', session: s, error: null } : { status: 'loading', session: null, error: null })), []);

  useEffect(() => {
    if (sessionStore.get()) return;
    let live = true;
    client
      .ensureSession()
      .then(() => sessionStore.changed())
      .catch((err: unknown) => {
        if (!live) return;
        if (err instanceof DemoLoginRequired) {
          Taro.reLaunch({ url: LOGIN_PAGE });
          return;
        }
        setState({ status: 'error', session: null, error: err instanceof Error ? err.message : '登录失败，请重试' });
      });
    return () => {
      live = false;
    };
  }, [attempt]);

  return { ...state, retry: () => setAttempt((n) => n + 1) };
}
