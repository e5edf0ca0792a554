import { AppError } from '../errors';
import type { GeocodedPlace, Geocoder } from './geocoder';

/** The fields of the AMap web service's answer that are read (documented: status "1"/"0", info, geocodes[].location "lng,lat", level). */
interface AmapGeoAnswer {
  status?: string;
  info?: string;
  geocodes?: { location?: string; level?: string }[];
}

const DEFAULT_BASE_URL = 'https://restapi.amap.com';

/** AMap (高德) web-service geocoding, `GET /v3/geocode/geo?key=&address=&city=`; results are GCJ-02 already. */
export class AmapGeocoder implements Geocoder {
  constructor(
    private readonly key: string,
    private readonly baseUrl: string = DEFAULT_BASE_URL,
    private readonly timeoutMs = 5000,
  ) {}

  async geocode(address: string, city?: string): Promise<GeocodedPlace | null> {
    const url = new URL('/v3/geocode/geo', this.baseUrl);
    url.searchParams.set('key', this.key);
    url.searchParams.set('address', address);
    if (city) url.searchParams.set('city', city);
    let answer: AmapGeoAnswer;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      answer = (await res.json()) as AmapGeoAnswer;
    } catch {
      throw new AppError(502, 'geocoder_unavailable', '高德地理编码服务暂时无法访问，请稍后重试，或在表格中直接填写经纬度。');
    }
    if (answer.status !== '1') {
      throw new AppError(502, 'geocoder_unavailable', `高德地理编码服务拒绝了请求（${answer.info ?? '未知原因'}）：请检查该企业配置的高德 Web 服务 Key 和调用配额。`);
    }
    const [lngText, latText] = (answer.geocodes?.[0]?.location ?? '').split(',');
    const lat = Number(latText);
    const lng = Number(lngText);
    if (!latText || !lngText || !Number.isFinite(lat) || !Number.isFinite(lng)) return null;
    return { lat, lng, coord: 'gcj02', precision: answer.geocodes?.[0]?.level ?? '未知' };
  }
}
