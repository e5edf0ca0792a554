import { ComingSoon } from '@/components/coming-soon';
import { SessionGate } from '@/components/session-gate';

export default function Page() {
  return <SessionGate>{() => <ComingSoon title='公海' />}</SessionGate>;
}
