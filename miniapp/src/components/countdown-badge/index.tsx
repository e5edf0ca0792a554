import { Text, View } from '@tarojs/components';
import { describeReclaim, type ReclaimInfo } from '@/utils/reclaim';
import './index.scss';

/** A customer's reclaim countdown: «还剩 N 天» coloured by urgency, with its reason («15 天无有效拜访»). */
export function CountdownBadge({ reclaim, now = Date.now() }: { reclaim: ReclaimInfo | null; now?: number }) {
  const d = describeReclaim(reclaim, now);
  return (
    <View className={`countdown countdown--${d.urgency}`} data-testid='countdown'>
      <Text className='countdown__left'>{d.left}</Text>
      {d.reason ? <Text className='countdown__reason'>{d.reason}</Text> : null}
    </View>
  );
}
