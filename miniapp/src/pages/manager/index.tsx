import { ComingSoon } from '@/components/coming-soon';

/** 看板: a placeholder registered in app.config.ts; its issue replaces this folder. */
export default function Page() {
  return <ComingSoon title='看板' />;
}
