import { ComingSoon } from '@/components/coming-soon';

/** 分配进度: a placeholder registered in app.config.ts; its issue replaces this folder. */
export default function Page() {
  return <ComingSoon title='分配进度' />;
}
