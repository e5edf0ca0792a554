import gcoord from 'gcoord';
import ngeohash from 'ngeohash';

export type CoordSystem = 'gcj02' | 'wgs84' | 'bd09';

/** Stored geohash precision (~4.8 m cells); nearby search uses prefixes of it. */
export const GEOHASH_PRECISION = 9;

const EARTH_RADIUS_M = 6_371_008.8;

/** Converts a point to GCJ-02, the system every stored coordinate uses. */
export function toGcj02(lat: number, lng: number, coord: CoordSystem): { lat: number; lng: number } {
  if (coord === 'gcj02') return { lat, lng };
  const [outLng, outLat] = gcoord.transform([lng, lat], coord === 'bd09' ? gcoord.BD09 : gcoord.WGS84, gcoord.GCJ02) as [number, number];
  return { lat: outLat, lng: outLng };
}

export function encodeGeohash(lat: number, lng: number): string {
  return ngeohash.encode(lat, lng, GEOHASH_PRECISION);
}

/** Great-circle distance in metres. */
export function haversineM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

export interface GeohashRange {
  /** Inclusive lower bound. */
  from: string;
  /** Exclusive upper bound; null at the very end of the key space. */
  to: string | null;
}

const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';
const MAX_CELLS = 24;

/** The next cell of the same length in geohash order ('wtw3' → 'wtw4'), or null past the end. */
function successor(cell: string): string | null {
  for (let i = cell.length - 1; i >= 0; i--) {
    const idx = BASE32.indexOf(cell[i]!);
    if (idx < BASE32.length - 1) return cell.slice(0, i) + BASE32[idx + 1] + '0'.repeat(cell.length - 1 - i);
  }
  return null;
}

/** The latitude/longitude box around a circle. */
export function boundingBox(lat: number, lng: number, radiusM: number) {
  const dLat = (radiusM / EARTH_RADIUS_M) * (180 / Math.PI);
  const dLng = dLat / Math.max(Math.cos((lat * Math.PI) / 180), 1e-6);
  return { minLat: lat - dLat, maxLat: lat + dLat, minLng: lng - dLng, maxLng: lng + dLng };
}

/**
 * Geohash key ranges that together cover the circle: the finest precision whose covering cells stay at most
 * MAX_CELLS, with neighbouring cells merged into one range. An index on (…, geohash) then reads only these ranges.
 */
export function coveringRanges(lat: number, lng: number, radiusM: number): GeohashRange[] {
  const box = boundingBox(lat, lng, radiusM);
  let cells: string[] = [];
  for (let precision = 8; precision >= 1; precision--) {
    // Count the cells arithmetically first: enumerating them at a too-fine precision would cost far more than the query.
    const cellLat = 180 / 2 ** Math.floor((5 * precision) / 2);
    const cellLng = 360 / 2 ** Math.ceil((5 * precision) / 2);
    const estimate = (Math.ceil((box.maxLat - box.minLat) / cellLat) + 1) * (Math.ceil((box.maxLng - box.minLng) / cellLng) + 1);
    if (estimate > MAX_CELLS * 2) continue;
    const candidate = ngeohash.bboxes(box.minLat, box.minLng, box.maxLat, box.maxLng, precision);
    if (candidate.length <= MAX_CELLS) {
      cells = candidate;
      break;
    }
  }
  cells = [...new Set(cells)].sort();
  const ranges: GeohashRange[] = [];
  for (const cell of cells) {
    const next = successor(cell);
    const last = ranges[ranges.length - 1];
    if (last && last.to === cell) last.to = next;
    else ranges.push({ from: cell, to: next });
  }
  return ranges;
}
