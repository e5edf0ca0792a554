import { ComingSoon } from '@/components/coming-soon';

/** 最近收回: a placeholder registered in app.config.ts; its issue replaces this folder. */
export default function Page() {
  return <ComingSoon title='最近收回' />;
}
