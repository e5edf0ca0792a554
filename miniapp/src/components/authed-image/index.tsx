import { Image, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { platform } from '@/platform';
import { client } from '@/services';
import { createAuthedImageLoader } from '@/utils/authed-image';
import './index.scss';

/** One loader for the app: photos shown on several pages are downloaded once. */
export const loadAuthedImage = createAuthedImageLoader({
  download: (request) => platform.download(request),
  token: async () => (await client.ensureSession()).token,
  origin: API_ORIGIN,
});

/**
 * An image served behind the JWT (e.g. a visit photo, `src='/api/v1/photos/12'`): a grey box while it loads, the reason
 * when it cannot, the picture once it has; a tap opens the platform's full-screen preview.
 */
export function AuthedImage({ src, className, alt }: { src: string; className?: string; alt?: string }) {
  const [state, setState] = useState<{ path: string } | { error: string } | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setState(null);
    loadAuthedImage(src).then(
      (path) => live && setState({ path }),
      (e: Error) => live && setState({ error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [src, attempt]);

  const classes = `authed-image ${className ?? ''}`;
  if (state === null) return <View className={`${classes} authed-image--loading`} data-testid='authed-image-loading' />;
  if ('error' in state) {
    return (
      <View className={`${classes} authed-image--error`} onClick={() => setAttempt((n) => n + 1)}>
        <Text className='authed-image__error'>{state.error}</Text>
        <Text className='authed-image__retry'>点击重试</Text>
      </View>
    );
  }
  return (
    <Image
      className={classes}
      src={state.path}
      mode='aspectFill'
      ariaLabel={alt}
      data-testid='authed-image'
      onClick={() => Taro.previewImage({ current: state.path, urls: [state.path] }).catch(() => undefined)}
    />
  );
}
