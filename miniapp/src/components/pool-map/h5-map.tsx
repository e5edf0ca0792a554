import { useMemo, useState } from 'react';
import { RING_STEPS_M, formatDistance, type PoolMapProps } from './types';
import './h5-map.scss';

/**
 * GCJ-02 raster tiles in the usual XYZ scheme (the customer coordinates are GCJ-02, so WGS-84 tiles would be off by
 * hundreds of metres in China). Taro's own H5 <Map> loads a third-party script with someone else's key and is blank
 * offline, so H5 draws its own map.
 */
const TILE_URL = (x: number, y: number, z: number) => `https://webrd0${1 + ((x + y) % 4)}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x=${x}&y=${y}&z=${z}`;

const EARTH_M = 40_075_016.686;
const M_PER_DEG_LAT = 110_574;

/** Metres east/south of the center (SVG y grows downwards); equirectangular is exact enough within 5 km. */
function project(center: { lat: number; lng: number }, lat: number, lng: number): { x: number; y: number } {
  return { x: (lng - center.lng) * 111_320 * Math.cos((center.lat * Math.PI) / 180), y: -(lat - center.lat) * M_PER_DEG_LAT };
}

const tileLng = (x: number, n: number) => (x / n) * 360 - 180;
const tileLat = (y: number, n: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;

/** A "nice" grid step: about five lines across the radius. */
function gridStep(radiusM: number): number {
  const raw = radiusM / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((f) => f * pow).find((s) => s >= raw) ?? raw;
}

/**
 * The H5 map: an SVG in metres around the rep. Markers and distance rings are drawn over map tiles when they load,
 * and over a plain grid (always drawn underneath) when offline, so the map is usable without the internet.
 */
export function H5Map({ center, radiusM, points, selectedId, onSelect }: PoolMapProps) {
  const [tilesLoaded, setTilesLoaded] = useState(false);
  const half = radiusM * 1.2;
  const markerR = radiusM * 0.022;

  const tiles = useMemo(() => {
    const cos = Math.cos((center.lat * Math.PI) / 180);
    const z = Math.max(3, Math.min(18, Math.round(Math.log2((EARTH_M * cos) / (radiusM * 0.9)))));
    const n = 2 ** z;
    const fx = ((center.lng + 180) / 360) * n;
    const latR = (center.lat * Math.PI) / 180;
    const fy = ((1 - Math.log(Math.tan(latR) + 1 / Math.cos(latR)) / Math.PI) / 2) * n;
    const tileM = (EARTH_M * cos) / n;
    const span = Math.ceil(half / tileM) + 1;
    const out: { key: string; href: string; x: number; y: number; w: number; h: number }[] = [];
    for (let tx = Math.floor(fx) - span; tx <= Math.floor(fx) + span; tx++) {
      for (let ty = Math.floor(fy) - span; ty <= Math.floor(fy) + span; ty++) {
        const tl = project(center, tileLat(ty, n), tileLng(tx, n));
        const br = project(center, tileLat(ty + 1, n), tileLng(tx + 1, n));
        out.push({ key: `${z}/${tx}/${ty}`, href: TILE_URL(tx, ty, z), x: tl.x, y: tl.y, w: br.x - tl.x, h: br.y - tl.y });
      }
    }
    return out;
  }, [center.lat, center.lng, radiusM, half]);

  const step = gridStep(radiusM);
  const lines: number[] = [];
  for (let v = -Math.ceil(half / step) * step; v <= half; v += step) lines.push(v);
  const rings = [...RING_STEPS_M.filter((r) => r < radiusM), radiusM];
  const selected = points.find((p) => p.id === selectedId);

  return (
    <div className='h5-map' data-testid='h5-map' data-tiles={tilesLoaded ? 'online' : 'offline'}>
      <svg viewBox={`${-half} ${-half} ${2 * half} ${2 * half}`} preserveAspectRatio='xMidYMid slice' className='h5-map__svg'>
        <rect x={-half} y={-half} width={2 * half} height={2 * half} fill='#eef1f5' />
        {lines.map((v) => (
          <g key={v}>
            <line x1={v} y1={-half} x2={v} y2={half} stroke='#d9dee7' strokeWidth={radiusM * 0.003} />
            <line x1={-half} y1={v} x2={half} y2={v} stroke='#d9dee7' strokeWidth={radiusM * 0.003} />
          </g>
        ))}
        {tiles.map((t) => (
          <image key={t.key} href={t.href} x={t.x} y={t.y} width={t.w} height={t.h} preserveAspectRatio='none' onLoad={() => setTilesLoaded(true)} />
        ))}
        {rings.map((r) => (
          <g key={r}>
            <circle cx={0} cy={0} r={r} fill={r === radiusM ? 'rgba(31,111,235,0.06)' : 'none'} stroke={r === radiusM ? '#1f6feb' : '#86909c'} strokeOpacity={0.8} strokeWidth={radiusM * (r === radiusM ? 0.006 : 0.004)} strokeDasharray={r === radiusM ? undefined : `${radiusM * 0.02} ${radiusM * 0.015}`} />
            <text x={r * 0.71 + radiusM * 0.01} y={-r * 0.71} fontSize={radiusM * 0.045} fill='#4e5969'>
              {formatDistance(r)}
            </text>
          </g>
        ))}
        {points.map((p) => {
          const { x, y } = project(center, p.lat, p.lng);
          const on = p.id === selectedId;
          return (
            <g key={p.id} className='h5-map__marker' data-testid={`marker-${p.id}`} onClick={() => onSelect(p.id)}>
              <circle cx={x} cy={y} r={markerR * 2.2} fill='transparent' />
              <circle cx={x} cy={y} r={on ? markerR * 1.4 : markerR} fill={on ? '#d4380d' : '#1f6feb'} stroke='#ffffff' strokeWidth={markerR * 0.35} />
            </g>
          );
        })}
        <circle cx={0} cy={0} r={markerR * 1.1} fill='#389e0d' stroke='#ffffff' strokeWidth={markerR * 0.4} />
        <text x={markerR * 1.6} y={markerR * 0.6} fontSize={radiusM * 0.05} fill='#237804' fontWeight='bold'>
          我
        </text>
        {selected
          ? (() => {
              const { x, y } = project(center, selected.lat, selected.lng);
              return (
                <text x={x} y={y - markerR * 2} fontSize={radiusM * 0.05} fill='#1d2129' textAnchor='middle' stroke='#ffffff' strokeWidth={radiusM * 0.012} paintOrder='stroke'>
                  {selected.label}
                </text>
              );
            })()
          : null}
      </svg>
      <span className='h5-map__status'>{tilesLoaded ? '地图 © 高德' : '离线网格 · 每格 ' + formatDistance(step)}</span>
    </div>
  );
}
