import { Map } from '@tarojs/components';
import markerIcon from '@/assets/marker.png';
import selectedIcon from '@/assets/marker-selected.png';
import { RING_STEPS_M, type PoolMapProps } from './types';

/** Map zoom for a search radius, so the radius ring fits a phone screen. */
const scaleFor = (radiusM: number): number => (radiusM <= 500 ? 16 : radiusM <= 1000 ? 15 : radiusM <= 3000 ? 13 : 12);

/** The mini-programs' native map (DingTalk and WeCom both draw GCJ-02 tiles, markers and circles natively). */
export function NativeMap({ center, radiusM, points, selectedId, onSelect }: PoolMapProps) {
  const rings = [...RING_STEPS_M.filter((r) => r < radiusM), radiusM];
  return (
    <Map
      style={{ width: '100%', height: '56vh' }}
      latitude={center.lat}
      longitude={center.lng}
      scale={scaleFor(radiusM)}
      showLocation
      markers={points.map((p) => ({
        id: p.id,
        latitude: p.lat,
        longitude: p.lng,
        iconPath: p.id === selectedId ? selectedIcon : markerIcon,
        width: 24,
        height: 24,
        title: p.label,
        callout: p.id === selectedId ? { content: p.label, display: 'ALWAYS', padding: 6, borderRadius: 4, fontSize: 12, color: '#1d2129', bgColor: '#ffffff' } : undefined,
      })) as never}
      circles={rings.map((r) => ({
        latitude: center.lat,
        longitude: center.lng,
        radius: r,
        color: r === radiusM ? '#1f6febAA' : '#86909c66',
        fillColor: r === radiusM ? '#1f6feb11' : '#00000000',
        strokeWidth: r === radiusM ? 2 : 1,
      })) as never}
      onMarkerTap={(e) => onSelect(Number((e.detail as { markerId: number | string }).markerId))}
      onCalloutTap={(e) => onSelect(Number((e.detail as { markerId: number | string }).markerId))}
      onError={() => undefined}
    />
  );
}
