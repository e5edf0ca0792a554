import { AppError } from '../errors';
import type { GeocodedPlace, Geocoder } from './geocoder';

/** The fields of the AMap web service's answer that are read (documented: status "1"/"0", info, geocodes[].location "lng,lat", level). */
interface AmapGeoAnswer {
  status?: string;
  info?: string;
  geocodes?: { location?: string; level?: string }[];
}

const DEFAULT_BASE_URL = 'https://restapi.amap.com';
/** AMap's `info` when a key goes over its queries per second (infocodes 10004, 10019–10021): worth a short wait. */
const OVER_QPS = /^(ACCESS_TOO_FREQUENT|CUQPS_HAS_EXCEEDED_THE_LIMIT|CKQPS_HAS_EXCEEDED_THE_LIMIT|CIQPS_HAS_EXCEEDED_THE_LIMIT)$/;
/** Waits before retrying a request refused for its rate: the per-second quota frees up within a second. */
const RETRY_DELAYS_MS = [1100, 2100];

/** AMap (高德) web-service geocoding, `GET /v3/geocode/geo?key=&address=&city=`; results are GCJ-02 already. */
export class AmapGeocoder implements Geocoder {
  constructor(
    private readonly key: string,
    private readonly baseUrl: string = DEFAULT_BASE_URL,
    private readonly timeoutMs = 5000,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async geocode(address: string, city?: string): Promise<GeocodedPlace | null> {
    for (const delay of RETRY_DELAYS_MS) {
      const answer = await this.ask(address, city);
      if (answer.status !== '1' && OVER_QPS.test(answer.info ?? '')) {
        await this.sleep(delay);
        continue;
      }
      return this.placeOf(answer);
    }
    return this.placeOf(await this.ask(address, city));
  }

  private async ask(address: string, city?: string): Promise<AmapGeoAnswer> {
    const url = new URL('/v3/geocode/geo', this.baseUrl);
    url.searchParams.set('key', this.key);
    url.searchParams.set('address', address);
    if (city) url.searchParams.set('city', city);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      return (await res.json()) as AmapGeoAnswer;
    } catch {
      throw new AppError(502, 'geocoder_unavailable', '高德地理编码服务暂时无法访问，请稍后重试，或在表格中直接填写经纬度。');
    }
  }

  private placeOf(answer: AmapGeoAnswer): GeocodedPlace | null {
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
