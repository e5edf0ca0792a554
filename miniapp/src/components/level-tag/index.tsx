import { Text } from '@tarojs/components';
import './index.scss';

/** A customer's level (A/B/C/D) as a small coloured tag. */
export function LevelTag({ level }: { level: string }) {
  return <Text className={`level-tag level-tag--${level.toLowerCase()}`}>{level} 级</Text>;
}
