import { ComingSoon } from '@/components/coming-soon';

/** 新人分配: a placeholder registered in app.config.ts; its issue replaces this folder. */
export default function Page() {
  return <ComingSoon title='新人分配' />;
}
