import { ComingSoon } from '@/components/coming-soon';

/** 拜访签到: a placeholder registered in app.config.ts; its issue replaces this folder. */
export default function Page() {
  return <ComingSoon title='拜访签到' />;
}
