import { ComingSoon } from '@/components/coming-soon';

/** 待审拜访: a placeholder registered in app.config.ts; its issue replaces this folder. */
export default function Page() {
  return <ComingSoon title='待审拜访' />;
}
