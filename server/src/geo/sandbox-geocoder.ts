import { createHash } from 'node:crypto';
import type { GeocodedPlace, Geocoder } from './geocoder';

/** District and city centres (GCJ-02) the sandbox knows, most specific first. */
const PLACES: readonly { match: string; lat: number; lng: number; precision: '区县' | '市' }[] = [
  { match: '西湖区', lat: 30.2594, lng: 120.1302, precision: '区县' },
  { match: '上城区', lat: 30.2425, lng: 120.1693, precision: '区县' },
  { match: '拱墅区', lat: 30.3197, lng: 120.1418, precision: '区县' },
  { match: '滨江区', lat: 30.2084, lng: 120.2119, precision: '区县' },
  { match: '余杭区', lat: 30.4189, lng: 120.3017, precision: '区县' },
  { match: '黄浦区', lat: 31.2317, lng: 121.4846, precision: '区县' },
  { match: '浦东新区', lat: 31.2215, lng: 121.5447, precision: '区县' },
  { match: '徐汇区', lat: 31.1885, lng: 121.4365, precision: '区县' },
  { match: '静安区', lat: 31.2290, lng: 121.4480, precision: '区县' },
  { match: '天河区', lat: 23.1246, lng: 113.3612, precision: '区县' },
  { match: '南山区', lat: 22.5333, lng: 113.9304, precision: '区县' },
  { match: '上海', lat: 31.2304, lng: 121.4737, precision: '市' },
  { match: '杭州', lat: 30.2741, lng: 120.1551, precision: '市' },
  { match: '广州', lat: 23.1291, lng: 113.2644, precision: '市' },
  { match: '深圳', lat: 22.5431, lng: 114.0579, precision: '市' },
];

/**
 * The geocoder of the demo and the tests: deterministic, no network. It places an address that names one of the
 * districts or cities above at that centre, moved by up to ~300 m by a hash of the address (so two addresses of one
 * district are two places); an address containing 「未知」 or naming none of them cannot be placed (null).
 */
export class SandboxGeocoder implements Geocoder {
  async geocode(address: string, city?: string): Promise<GeocodedPlace | null> {
    const text = `${city ?? ''}${address}`;
    if (text.includes('未知')) return null;
    const place = PLACES.find((p) => text.includes(p.match));
    if (!place) return null;
    const h = createHash('sha256').update(address).digest();
    const jitter = (byte: number) => ((byte / 255) * 2 - 1) * 0.0027;
    const round = (x: number) => Math.round(x * 1e6) / 1e6;
    return { lat: round(place.lat + jitter(h[0]!)), lng: round(place.lng + jitter(h[1]!)), coord: 'gcj02', precision: place.precision };
  }
}
