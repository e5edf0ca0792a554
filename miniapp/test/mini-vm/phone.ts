/**
 * The device behind a fake platform global: its network (real HTTP to the test server, only to the app's own domain),
 * its storage, GPS, camera and files, and a record of what the app asked of it. `dd-global.ts` and `wx-global.ts`
 * put each vendor's API shape on top.
 */

/** Page navigation, provided by the logic layer (MiniVm). */
export interface Navigation {
  navigate(kind: 'navigateTo' | 'redirectTo' | 'switchTab' | 'reLaunch', url: string): Promise<void>;
  back(delta: number): Promise<void>;
}

/** A place in GCJ-02, where the phone's GPS says it is. */
export interface Place {
  lat: number;
  lng: number;
}

export interface PhoneOptions {
  /** The test server, e.g. http://127.0.0.1:41234. */
  serverUrl: string;
  /** The API origin built into the bundle; requests to it go to the test server (the app's whitelisted domain). */
  appOrigin: string;
  /** The sandbox user whose login codes the platform hands out. */
  corpId: string;
  userId: string;
  /** Where the GPS is, GCJ-02. */
  place: Place;
  /** What the camera takes: a JPEG. */
  photo: Buffer;
}

export interface HttpExchange {
  method: string;
  url: string;
  status: number;
}

/** One request the platform refused before it reached the network (a method the vendor does not allow, a domain not whitelisted). */
export interface Refusal {
  api: string;
  method?: string;
  url?: string;
  reason: string;
}

export class Phone {
  place: Place;
  readonly storage = new Map<string, unknown>();
  /** Temp files by the path the platform gave the app. */
  readonly files = new Map<string, Buffer>();
  /** Every HTTP exchange that reached the server, in order. */
  readonly http: HttpExchange[] = [];
  readonly refusals: Refusal[] = [];
  /** Toasts, modals and other UI the platform drew, in order. */
  readonly ui: { api: string; text: string }[] = [];
  /** Platform properties the app read that the fake does not have (besides the ones the runtime merely probes). */
  readonly unknownReads = new Set<string>();
  /** Network exchanges under way (the vm's long timers wait for them). */
  inFlight = 0;
  /** Login codes minted for the app. */
  loginCodes = 0;
  /** Location fixes handed out. */
  fixes = 0;
  private fileSeq = 0;

  constructor(readonly options: PhoneOptions) {
    this.place = options.place;
  }

  /** The test server's URL for an app URL on its whitelisted domain, or null (the platform refuses other domains). */
  route(url: string): string | null {
    const { appOrigin, serverUrl } = this.options;
    if (url === appOrigin || url.startsWith(`${appOrigin}/`) || url.startsWith(`${appOrigin}?`)) return serverUrl + url.slice(appOrigin.length);
    return null;
  }

  /** Real HTTP to the test server. Rejects only when no answer came. */
  async fetch(method: string, url: string, headers: Record<string, string>, body?: string | FormData): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const target = this.route(url);
    if (!target) throw new Error(`not a whitelisted domain: ${url}`);
    this.inFlight++;
    let res: Response;
    let buf: Buffer;
    try {
      res = await fetch(target, { method, headers, body });
      buf = Buffer.from(await res.arrayBuffer());
    } finally {
      this.inFlight--;
    }
    this.http.push({ method, url: new URL(target).pathname + new URL(target).search, status: res.status });
    const out: Record<string, string> = {};
    res.headers.forEach((v, k) => (out[k] = v));
    return { status: res.status, headers: out, body: buf };
  }

  /** A login code from the sandbox's control endpoint, as the platform's client would obtain it. */
  async mintLoginCode(vendor: 'dingtalk' | 'wecom', extra: Record<string, string> = {}): Promise<string> {
    this.inFlight++;
    let res: Response;
    let body: { code?: string };
    try {
      res = await fetch(`${this.options.serverUrl}/sandbox/${vendor}/_control/login-code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ corpId: this.options.corpId, userId: this.options.userId, ...extra }),
      });
      body = (await res.json()) as { code?: string };
    } finally {
      this.inFlight--;
    }
    if (!res.ok || !body.code) throw new Error(`the sandbox minted no login code (${res.status}: ${JSON.stringify(body)})`);
    this.loginCodes++;
    return body.code;
  }

  /**
   * The next GPS reading at the current place: a real receiver jitters by centimetres to metres between readings and
   * never reports the same accuracy to the decimal, so neither does this one (the server flags frozen fixes).
   */
  nextFix(): { lat: number; lng: number; accuracy: number } {
    const n = ++this.fixes;
    return {
      lat: Number((this.place.lat + (n % 7) * 0.0000071).toFixed(7)),
      lng: Number((this.place.lng - (n % 5) * 0.0000063).toFixed(7)),
      accuracy: Number((11.3 + (n % 9) * 0.7).toFixed(1)),
    };
  }

  /** Stores bytes as a temp file and returns the platform-style path the app receives. */
  saveTemp(bytes: Buffer, scheme: string, ext: string): string {
    const path = `${scheme}tmp_${++this.fileSeq}.${ext}`;
    this.files.set(path, bytes);
    return path;
  }

  /** The camera: the configured JPEG as a new temp file. */
  takePhoto(scheme: string): { path: string; size: number } {
    const path = this.saveTemp(this.options.photo, scheme, 'jpg');
    return { path, size: this.options.photo.length };
  }

  /** Multipart upload of a temp file, as the platforms' uploadFile sends it. */
  async upload(url: string, filePath: string, field: string, headers: Record<string, string>, formData: Record<string, unknown> = {}) {
    const bytes = this.files.get(filePath);
    if (!bytes) throw new Error(`no such temp file: ${filePath}`);
    const form = new FormData();
    for (const [k, v] of Object.entries(formData)) form.append(k, String(v));
    form.append(field, new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), filePath.split('/').pop());
    // The multipart boundary is the platform's to set: a content-type from the app would break it.
    const sent = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-type'));
    return this.fetch('POST', url, sent, form);
  }
}

/** A platform API that answers through success/fail/complete callbacks. */
export interface CallbackOptions {
  success?: (res: unknown) => void;
  fail?: (err: unknown) => void;
  complete?: (res: unknown) => void;
  [key: string]: unknown;
}

/** Runs an async platform implementation and answers through the callbacks, as the clients do (never synchronously). */
export function answer(options: CallbackOptions | undefined, work: () => Promise<unknown>, failure: (err: Error) => unknown): void {
  const o = options ?? {};
  void Promise.resolve()
    .then(work)
    .then(
      (res) => {
        o.success?.(res);
        o.complete?.(res);
      },
      (err: unknown) => {
        const res = failure(err instanceof Error ? err : new Error(String(err)));
        o.fail?.(res);
        o.complete?.(res);
      },
    );
}

/** Wraps a platform global so reads of properties it does not have are recorded (the ones the runtime probes are not). */
export function recordUnknownReads<T extends object>(target: T, phone: Phone, probed: readonly string[]): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (typeof prop === 'string' && !(prop in t) && !probed.includes(prop)) phone.unknownReads.add(prop);
      return Reflect.get(t, prop, receiver);
    },
  });
}
