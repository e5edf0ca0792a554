import { Text, View } from '@tarojs/components';
import './index.scss';

/** A failure the user should read: the Chinese message says why and what to do; optional retry. */
export function ErrorBanner({ title, message, onRetry, tone = 'error' }: { title?: string; message: string; onRetry?: () => void; tone?: 'error' | 'warning' | 'success' }) {
  return (
    <View className={`error-banner error-banner--${tone}`} data-testid={`banner-${tone}`}>
      <View className='error-banner__text'>
        {title ? <Text className='error-banner__title'>{title}</Text> : null}
        <Text className='error-banner__message'>{message}</Text>
      </View>
      {onRetry ? (
        <Text className='error-banner__retry' onClick={onRetry}>
          重试
        </Text>
      ) : null}
    </View>
  );
}
