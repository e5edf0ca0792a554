/**
 * The platform seam: everything that differs between DingTalk, WeCom and a browser, behind one interface. Pages and
 * services import `@/platform` and never check the platform themselves (STYLE habit 10).
 */

/** Which build this is. */
export type PlatformName = 'dd' | 'qywx' | 'h5';

/**
 * How the code was got, so the server exchanges it where it belongs: `miniprogram` from the in-app login API
 * (`dd.getAuthCode`, DingTalk H5 `requestAuthCode`, `wx.qy.login`), `oauth` from WeCom's OAuth redirect to an H5 page.
 */
export type LoginChannel = 'miniprogram' | 'oauth';

/** A one-time login code for `POST /api/v1/auth/login`. */
export interface LoginCode {
  platform: 'dingtalk' | 'wecom';
  corpId: string;
  code: string;
  channel: LoginChannel;
}

/**
 * The client API a fix was read from; the server decides from it (and the OS) whether a missing mock flag means
 * anything (server/src/modules/visits/risk/location-source.ts, which lists what each API documents).
 */
export type LocationSource = 'dd.startLocating' | 'dd.getLocation' | 'dd.device.geolocation.get' | 'wx.getLocation' | 'ww.getLocation' | 'browser';

/** One location reading, as the server's check-in and claim endpoints take it (DESIGN §5.1). */
export interface LocationFix {
  lat: number;
  lng: number;
  /** Metres, as reported by the device. */
  accuracy: number;
  /** The mini-programs give GCJ-02; a browser gives WGS-84, which the server converts. */
  coord: 'gcj02' | 'wgs84';
  /** Epoch milliseconds when the fix was taken. */
  ts: number;
  /**
   * DingTalk's `isFromMock`: set only by `dd.startLocating` and the H5 `dd.device.geolocation.get`, on Android. Left
   * out wherever the source has no such field (never guessed as false).
   */
  isMock?: boolean;
  source: LocationSource;
}

export interface WifiInfo {
  bssid: string;
  ssid: string;
  signal?: number;
}

export interface DeviceInfo {
  platform: string;
  os: string;
  model: string;
  clientVersion: string;
}

/** A photo just taken with the camera. `path` is a temp file path (mini-programs) or an object URL (H5). */
export interface Photo {
  path: string;
  /** The file itself on H5, where uploads go through fetch. */
  file?: Blob;
}

export interface UploadRequest {
  url: string;
  photo: Photo;
  /** Multipart field name (the server reads `photo`). */
  field: string;
  headers: Record<string, string>;
  /** The file's name in the form (a spreadsheet's extension tells the server its format); photos default to photo.jpg. */
  filename?: string;
  /** Plain form fields sent with the file. */
  fields?: Record<string, string>;
}

export interface UploadResult {
  status: number;
  /** The response body as text (JSON from our server). */
  body: string;
}

/** A place to show on the platform's map (GCJ-02), from where the rep can start navigation. */
export interface MapTarget {
  lat: number;
  lng: number;
  name: string;
  address: string;
}

/** A file fetched with request headers (a photo behind the JWT). */
export interface DownloadRequest {
  url: string;
  headers: Record<string, string>;
}

export interface DownloadResult {
  status: number;
  /** A temp file path (mini-programs) or an object URL (H5) that an `<Image>` can show; '' when status is not 2xx. */
  path: string;
}

/** A document behind the JWT that the user keeps (the customer export). */
export interface DocumentRequest {
  url: string;
  headers: Record<string, string>;
  /** The name it is saved under in a browser, e.g. 客户导出-2026-12-07.xlsx. */
  filename: string;
  /** The format, for the mini-program's document viewer. */
  fileType: 'xlsx';
}

export interface DocumentResult {
  /** The HTTP status; 0 when no answer arrived (offline, or a client that reports no status on failure). */
  status: number;
  /** The answer's text when status is not 2xx (our server's JSON error), where the platform can read it; else ''. */
  body: string;
}

/** Signs the current H5 page for the vendor JS-SDK (`GET /api/v1/platform/jsapi-signature`); see PlatformApi.ready. */
export interface JsapiSignature {
  platform: 'dingtalk' | 'wecom';
  corpId: string;
  agentId: string;
  timestamp: string;
  nonceStr: string;
  signature: string;
  agentSignature?: string;
}

/** Thrown when a login needs a person to choose who they are: a plain browser with the demo sandbox. */
export class DemoLoginRequired extends Error {
  constructor() {
    super('请选择一个演示用户登录');
    this.name = 'DemoLoginRequired';
  }
}

/** Thrown when the platform cannot do what was asked; the message is for the user. */
export class PlatformUnsupported extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlatformUnsupported';
  }
}

/** What every platform file (dd.ts, qywx.ts, h5.ts) implements. */
export interface PlatformApi {
  readonly name: PlatformName;
  /** A fresh login code. Throws DemoLoginRequired in a plain browser (the login page then offers the demo picker). */
  loginCode(): Promise<LoginCode>;
  /** After login: lets H5 pages inside DingTalk/WeCom register with the JS-SDK. A no-op in the mini-programs. */
  ready(sign: (url: string) => Promise<JsapiSignature>): Promise<void>;
  /**
   * `count` fixes about `intervalMs` apart (real GPS jitters; the server checks that). Rejects with a Chinese message,
   * also when no fix arrives within `timeoutMs`.
   */
  locate(options?: { count?: number; intervalMs?: number; timeoutMs?: number }): Promise<LocationFix[]>;
  /** The connected Wi-Fi where the platform allows reading it, else []. Never rejects. */
  connectedWifi(): Promise<WifiInfo[]>;
  device(): DeviceInfo;
  /** A photo from the camera only (never the album, DESIGN §5.2). Rejects when cancelled. */
  takePhoto(): Promise<Photo>;
  /** Multipart upload of a taken photo. */
  upload(request: UploadRequest): Promise<UploadResult>;
  /**
   * A document the user picks (a customer sheet for the import), with its name. PlatformUnsupported where the client
   * offers no picker for documents (the DingTalk mini-program; H5 pages use a file input instead). Rejects when cancelled.
   */
  chooseFile(): Promise<Photo & { name: string }>;
  /** Downloads a file that needs headers (photos are served behind the JWT); resolves with any status. */
  download(request: DownloadRequest): Promise<DownloadResult>;
  /**
   * Downloads a document that needs headers and hands it to the user: a browser saves it as `filename`, the WeCom
   * mini-program opens it in its viewer with the menu (forward to a chat, save). Resolves with any status, and with
   * status 0 when nothing answered. PlatformUnsupported in the DingTalk mini-program, which documents no way to open a
   * spreadsheet.
   */
  saveDocument(request: DocumentRequest): Promise<DocumentResult>;
  /** Opens the platform's map at a customer's place (navigation starts there). */
  openLocation(target: MapTarget): Promise<void>;
  /** Opens a one-to-one chat with a colleague (platform user id). */
  openChat(userId: string): Promise<void>;
  /** Opens a colleague's profile card. */
  openProfile(userId: string): Promise<void>;
}

/** Fixes for one reading, taken `intervalMs` apart; shared by the platform files. */
export async function takeFixes(read: () => Promise<LocationFix>, count = 3, intervalMs = 2000): Promise<LocationFix[]> {
  const fixes: LocationFix[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    fixes.push(await read());
  }
  return fixes;
}

/**
 * AMap's public marker page for a GCJ-02 place: a browser shows the map, a phone with AMap installed opens the app
 * there (`callnative=1`) and offers navigation.
 */
export function amapMarkerUrl(target: MapTarget): string {
  const q = new URLSearchParams({ position: `${target.lng},${target.lat}`, name: target.name, src: 'gonghai', coordinate: 'gaode', callnative: '1' });
  return `https://uri.amap.com/marker?${q.toString()}`;
}

/** The client version sent with check-ins. */
export const CLIENT_VERSION = '0.1.0';
