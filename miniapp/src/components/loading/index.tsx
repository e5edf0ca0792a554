import { Text, View } from '@tarojs/components';
import './index.scss';

/** A quiet placeholder while something loads. */
export function Loading({ text = '加载中…' }: { text?: string }) {
  return (
    <View className='loading'>
      <View className='loading__dot' />
      <Text>{text}</Text>
    </View>
  );
}
