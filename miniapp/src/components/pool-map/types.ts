/** A customer on the map; coordinates are GCJ-02 like everything the server sends. */
export interface MapPoint {
  id: number;
  lat: number;
  lng: number;
  label: string;
}

/** What both map views (native `<Map>` in the mini-programs, the own H5 view) take. */
export interface PoolMapProps {
  /** The rep's position, GCJ-02. */
  center: { lat: number; lng: number };
  /** The search radius in metres: drawn as a ring, and the view is sized to it. */
  radiusM: number;
  points: MapPoint[];
  selectedId: number | null;
  onSelect: (id: number) => void;
}

/** Rings drawn at these distances when inside the search radius (the radius itself is always drawn). */
export const RING_STEPS_M = [500, 1000, 3000, 5000];

export const formatDistance = (m: number): string => (m >= 1000 ? `${Number((m / 1000).toFixed(1))} 公里` : `${Math.round(m)} 米`);
