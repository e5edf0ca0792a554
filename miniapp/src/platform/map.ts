import type { ComponentType } from 'react';
import type { PoolMapProps } from '@/components/pool-map/types';

/**
 * The map of this build: the native `<map>` in DingTalk/WeCom, the app's own offline-capable map on H5 (Taro's H5
 * <Map> needs a third-party script from the internet). Only the taken branch is bundled.
 */
function current(): ComponentType<PoolMapProps> {
  // One constant `if` per branch so webpack drops the other file (see index.ts).
  if (process.env.TARO_ENV === 'h5') return (require('@/components/pool-map/h5-map') as typeof import('@/components/pool-map/h5-map')).H5Map;
  if (process.env.TARO_ENV === 'dd' || process.env.TARO_ENV === 'qywx') return (require('@/components/pool-map/native-map') as typeof import('@/components/pool-map/native-map')).NativeMap;
  throw new Error(`unknown TARO_ENV ${process.env.TARO_ENV}`);
}

export const PoolMap: ComponentType<PoolMapProps> = current();
