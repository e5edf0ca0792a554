import { Text, View } from '@tarojs/components';
import './index.scss';

/** Body of a page registered in app.config.ts whose content is built in a later issue. */
export function ComingSoon({ title }: { title: string }) {
  return (
    <View className='coming-soon'>
      <Text className='coming-soon__title'>{title}</Text>
      <Text className='coming-soon__note'>即将上线</Text>
    </View>
  );
}
