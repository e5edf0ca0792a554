import { ComingSoon } from '@/components/coming-soon';

/** 跟进与商机: a placeholder registered in app.config.ts; its issue replaces this folder. */
export default function Page() {
  return <ComingSoon title='跟进与商机' />;
}
