/** Where an address is, in GCJ-02 (the system every stored coordinate uses). */
export interface GeocodedPlace {
  lat: number;
  lng: number;
  coord: 'gcj02';
  /** How precise the match is, in the service's words (e.g. 门牌号, 道路, 区县): shown in the import report. */
  precision: string;
}

/**
 * The geocoding port: an address (and optionally the city to search in) to a place, or null when the service cannot
 * place it. Throws only when the service itself fails (network, key refused, quota), with a Chinese message.
 */
export interface Geocoder {
  geocode(address: string, city?: string): Promise<GeocodedPlace | null>;
}
