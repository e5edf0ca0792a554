import { ComingSoon } from '@/components/coming-soon';

/** 全景档案: a placeholder registered in app.config.ts; its issue replaces this folder. */
export default function Page() {
  return <ComingSoon title='全景档案' />;
}
