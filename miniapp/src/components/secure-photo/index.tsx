import { Image, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { platform } from '@/platform';
import { client } from '@/services';
import { createPhotoLoader } from '@/utils/photo-loader';
import './index.scss';

/** One loader for the app: each photo is downloaded once per session, with the JWT. */
const loader = createPhotoLoader({
  origin: API_ORIGIN,
  token: async () => (await client.ensureSession()).token,
  refresh: async () => {
    client.logout();
    return (await client.ensureSession()).token;
  },
  download: (request) => platform.download(request),
});

/**
 * A watermarked visit photo (`/api/v1/photos/:id`), loaded with the JWT; tap to see it full size. Shows why it failed
 * and retries on tap.
 */
export function SecurePhoto({ url, alt = '拜访照片', size = 'small' }: { url: string; alt?: string; size?: 'small' | 'large' }) {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setError(null);
    loader
      .load(url)
      .then((path) => live && setSrc(path))
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : '照片加载失败'));
    return () => {
      live = false;
    };
  }, [url, attempt]);

  if (error) {
    return (
      <View className={`secure-photo secure-photo--${size} secure-photo--error`} onClick={() => setAttempt((n) => n + 1)}>
        <Text className='secure-photo__error'>{error}</Text>
      </View>
    );
  }
  if (!src) return <View className={`secure-photo secure-photo--${size} secure-photo--loading`} />;
  return (
    <Image
      className={`secure-photo secure-photo--${size}`}
      src={src}
      mode='aspectFill'
      ariaLabel={alt}
      data-testid='secure-photo'
      data-photo-url={url}
      onClick={() => Taro.previewImage({ urls: [src], current: src })}
    />
  );
}
