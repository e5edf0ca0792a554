import type { ReactNode } from 'react';
import { useSession } from '@/hooks/use-session';
import type { LoginResult } from '@/services';
import { ErrorBanner } from '../error-banner';
import { Loading } from '../loading';

/** Renders its children with the session once signed in; shows progress or the login failure otherwise. */
export function SessionGate({ children }: { children: (session: LoginResult) => ReactNode }) {
  const s = useSession();
  if (s.status === 'ready') return <>{children(s.session)}</>;
  if (s.status === 'error') return <ErrorBanner title='登录失败' message={s.error} onRetry={s.retry} />;
  return <Loading text='正在登录…' />;
}
