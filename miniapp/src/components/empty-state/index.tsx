import { Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';
import './index.scss';

/** Nothing to show, said kindly, with what to do next. */
export function EmptyState({ title, hint, children }: { title: string; hint?: string; children?: ReactNode }) {
  return (
    <View className='empty-state'>
      <Text className='empty-state__title'>{title}</Text>
      {hint ? <Text className='empty-state__hint'>{hint}</Text> : null}
      {children}
    </View>
  );
}
