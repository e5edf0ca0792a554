import type { LocationFix, Photo, PlatformApi } from '@/platform/platform';
import type { Api } from '@/services/api';
import type { CheckInBody, PhotoDto, VisitDto } from '@/services/api-types';
import { ApiError, NetworkError } from '@/services/errors';
import type { RiskReason } from './risk-text';
import { takeLocationProof } from './location-proof';
import { randomKey } from './random-key';

/**
 * What survives a page reload while a visit is open (DESIGN §5): the visit and its photo token, the photos the server
 * confirmed, and a check-in that was sent but never answered (retried with the same key and body, so it lands once).
 */
export interface VisitDraft {
  customerId: number;
  pending?: { key: string; body: CheckInBody; sentAt: number };
  visit?: VisitDto;
  photoToken?: string;
  photos?: PhotoDto[];
}

/** Where drafts live (Taro storage in the app, memory in tests); one per customer. */
export interface DraftStore {
  load(customerId: number): VisitDraft | null;
  save(draft: VisitDraft): void;
  clear(customerId: number): void;
}

export interface VisitFlowDeps {
  visits: Pick<Api['visits'], 'nonce' | 'checkIn' | 'uploadPhoto' | 'finish' | 'mine'>;
  phone: Pick<PlatformApi, 'locate' | 'connectedWifi' | 'device' | 'takePhoto'>;
  drafts: DraftStore;
  /** Fixes per check-in and the pause between them (real GPS jitters; the server checks that). */
  fixCount?: number;
  fixIntervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  newKey?: () => string;
}

/** A photo taken in this visit: uploading, confirmed by the server, or failed (retry offered). */
export interface Shot {
  id: string;
  /** Local preview (temp path / object URL) until confirmed; the watermarked copy is shown from `photo.url` after. */
  localPath: string | null;
  status: 'uploading' | 'done' | 'failed';
  photo?: PhotoDto;
  error?: string;
  source?: Photo;
}

export type VisitPhase = 'ready' | 'locating' | 'checking-in' | 'rejected' | 'open' | 'finishing' | 'finished';

export interface VisitState {
  phase: VisitPhase;
  /** Fixes taken so far for this check-in (shown with their accuracy). */
  fixes: LocationFix[];
  /** The check-in answer while open; the finished visit at the end. */
  visit: VisitDto | null;
  rejection: { message: string; reasons: RiskReason[] } | null;
  shots: Shot[];
  /** A failure the rep can retry (location, network, server refusal other than the verdict). */
  error: string | null;
  /** A check-in was sent and its answer lost: the next check-in resends it unchanged. */
  unconfirmed: boolean;
}

/** A sent check-in older than this is not resent: its nonce (5 minutes) would have expired. */
const PENDING_TTL_MS = 4 * 60_000;

const messageOf = (err: unknown, fallback: string): string => (err instanceof Error && err.message ? err.message : fallback);

/**
 * The visit flow of one customer as a small state machine, kept out of the page so it can be tested against the real
 * server: nonce → fixes a few seconds apart → check-in → camera photos with the photo token → finish. Every step is
 * guarded against double taps, and the server stays the judge of what happened when an answer is lost.
 */
export class VisitFlow {
  private state: VisitState = { phase: 'ready', fixes: [], visit: null, rejection: null, shots: [], error: null, unconfirmed: false };
  private readonly listeners = new Set<(s: VisitState) => void>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly newKey: () => string;
  private shotSeq = 0;

  constructor(
    readonly customerId: number,
    private readonly deps: VisitFlowDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.newKey = deps.newKey ?? randomKey;
  }

  get current(): VisitState {
    return this.state;
  }

  subscribe(listener: (s: VisitState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** After a reload: reopens a stored open visit, then lets the server say how it stands (photos, finished). */
  async resume(): Promise<void> {
    const draft = this.deps.drafts.load(this.customerId);
    if (!draft) return;
    if (!draft.visit) {
      if (draft.pending) this.set({ unconfirmed: true, error: '上次签到没有收到结果，请点「重新签到」确认（不会重复记录）' });
      return;
    }
    this.set({ phase: 'open', visit: draft.visit, shots: (draft.photos ?? []).map((p) => this.confirmedShot(p)) });
    await this.syncFromServer();
  }

  /** Takes the fixes and checks in; a check-in whose answer was lost is resent as it was. */
  async checkIn(): Promise<void> {
    if (this.state.phase !== 'ready' && this.state.phase !== 'rejected') return;
    const draft = this.deps.drafts.load(this.customerId);
    const pending = draft?.pending && this.now() - draft.pending.sentAt < PENDING_TTL_MS ? draft.pending : undefined;
    let send: { key: string; body: CheckInBody };
    if (pending) {
      send = pending;
      this.set({ phase: 'checking-in', error: null, rejection: null });
    } else {
      this.set({ phase: 'locating', fixes: [], error: null, rejection: null, unconfirmed: false });
      try {
        const proof = await takeLocationProof({
          phone: this.deps.phone,
          nonce: this.deps.visits.nonce,
          fixCount: this.deps.fixCount,
          fixIntervalMs: this.deps.fixIntervalMs,
          sleep: this.sleep,
          onFix: (fixes) => this.set({ fixes }),
        });
        send = { key: this.newKey(), body: { customerId: this.customerId, ...proof } };
      } catch (err) {
        this.set({ phase: 'ready', error: messageOf(err, '定位失败，请重试') });
        return;
      }
      this.deps.drafts.save({ customerId: this.customerId, pending: { ...send, sentAt: this.now() } });
      this.set({ phase: 'checking-in' });
    }
    try {
      const { visit, photoToken } = await this.deps.visits.checkIn(send.body, send.key);
      this.deps.drafts.save({ customerId: this.customerId, visit, photoToken, photos: [] });
      this.set({ phase: 'open', visit, shots: [], unconfirmed: false });
    } catch (err) {
      if (err instanceof NetworkError) {
        // The check-in may have landed: keep it pending so the retry replays it instead of recording a second visit.
        this.set({ phase: 'ready', unconfirmed: true, error: '网络不稳定，签到结果未确认；请点「重新签到」，同一次签到不会重复记录' });
        return;
      }
      this.deps.drafts.clear(this.customerId);
      if (err instanceof ApiError && err.code === 'check_in_rejected') {
        const reasons = (err.details.reasons as RiskReason[] | undefined) ?? [];
        this.set({ phase: 'rejected', unconfirmed: false, rejection: { message: err.message, reasons } });
        return;
      }
      this.set({ phase: 'ready', unconfirmed: false, error: messageOf(err, '签到失败，请重试') });
    }
  }

  /** Opens the camera (never the album) and uploads the photo with the visit's photo token. */
  async takePhoto(): Promise<void> {
    if (this.state.phase !== 'open') return;
    let photo: Photo;
    try {
      photo = await this.deps.phone.takePhoto();
    } catch (err) {
      this.set({ error: messageOf(err, '没有拍到照片，请重试') });
      return;
    }
    const shot: Shot = { id: `shot-${++this.shotSeq}`, localPath: photo.path, status: 'uploading', source: photo };
    this.set({ error: null, shots: [...this.state.shots, shot] });
    await this.upload(shot);
  }

  /**
   * Uploads a failed photo again, unless the server already has it (its answer was lost): photos are compared by
   * count against what the server holds for this visit, so a retry never stores the same photo twice.
   */
  async retryPhoto(id: string): Promise<void> {
    const shot = this.state.shots.find((s) => s.id === id);
    if (!shot || shot.status !== 'failed' || this.state.phase !== 'open') return;
    this.updateShot(id, { status: 'uploading', error: undefined });
    const server = await this.serverVisit().catch(() => null);
    if (server?.photos) {
      const known = new Set(this.state.shots.flatMap((s) => (s.photo ? [s.photo.id] : [])));
      const landed = server.photos.find((p) => !known.has(p.id));
      if (landed) {
        this.confirm(id, landed);
        return;
      }
    }
    await this.upload({ ...shot, status: 'uploading' });
  }

  /** Ends the visit with notes and the customer's feedback; the answer is the final verdict. */
  async finish(input: { notes?: string; feedback?: string }): Promise<void> {
    const visit = this.state.visit;
    if (this.state.phase !== 'open' || !visit || this.state.shots.some((s) => s.status === 'uploading')) return;
    this.set({ phase: 'finishing', error: null });
    try {
      const { visit: done } = await this.deps.visits.finish(visit.id, { notes: input.notes || undefined, feedback: input.feedback || undefined });
      this.finished(done);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'visit_closed') {
        // A finish whose answer was lost (or one from another tab) closed it already: show what the server has.
        if (await this.syncFromServer()) return;
      }
      this.set({ phase: 'open', error: err instanceof NetworkError ? '网络不稳定，拜访还没有结束；请再点一次「完成拜访」' : messageOf(err, '结束拜访失败，请重试') });
    }
  }

  /** After a rejection or a finished visit: start over (a new nonce and new fixes). */
  reset(): void {
    if (this.state.phase !== 'rejected' && this.state.phase !== 'finished') return;
    this.set({ phase: 'ready', fixes: [], visit: null, rejection: null, shots: [], error: null, unconfirmed: false });
  }

  private async upload(shot: Shot): Promise<void> {
    const visit = this.state.visit;
    const token = this.deps.drafts.load(this.customerId)?.photoToken;
    if (!visit || !token || !shot.source) {
      this.updateShot(shot.id, { status: 'failed', error: '照片凭证已失效，请重新签到后拍照' });
      return;
    }
    try {
      const { photo } = await this.deps.visits.uploadPhoto(visit.id, shot.source, token);
      this.confirm(shot.id, photo);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'visit_closed') await this.syncFromServer();
      this.updateShot(shot.id, { status: 'failed', error: err instanceof NetworkError ? '网络不稳定，照片可能没有上传成功，请点「重试」' : messageOf(err, '上传失败，请重试') });
    }
  }

  private confirm(id: string, photo: PhotoDto): void {
    this.updateShot(id, { status: 'done', photo, error: undefined });
    const draft = this.deps.drafts.load(this.customerId);
    if (draft?.visit) this.deps.drafts.save({ ...draft, photos: [...(draft.photos ?? []).filter((p) => p.id !== photo.id), photo] });
  }

  private confirmedShot(photo: PhotoDto): Shot {
    return { id: `photo-${photo.id}`, localPath: null, status: 'done', photo };
  }

  private async serverVisit(): Promise<VisitDto | null> {
    const id = this.state.visit?.id;
    if (id === undefined) return null;
    const page = await this.deps.visits.mine({ limit: 50 });
    return page.items.find((v) => v.id === id) ?? null;
  }

  /** Takes the server's word for the open visit: its photos, or that it is finished. Returns true when finished. */
  private async syncFromServer(): Promise<boolean> {
    let server: VisitDto | null;
    try {
      server = await this.serverVisit();
    } catch {
      return false;
    }
    if (!server) return false;
    if (server.status === 'finished') {
      this.finished(server);
      return true;
    }
    const known = new Set(this.state.shots.flatMap((s) => (s.photo ? [s.photo.id] : [])));
    const extra = (server.photos ?? []).filter((p) => !known.has(p.id)).map((p) => this.confirmedShot(p));
    if (extra.length) this.set({ shots: [...this.state.shots, ...extra] });
    return false;
  }

  private finished(visit: VisitDto): void {
    this.deps.drafts.clear(this.customerId);
    const shots = (visit.photos ?? []).map((p) => this.state.shots.find((s) => s.photo?.id === p.id) ?? this.confirmedShot(p));
    this.set({ phase: 'finished', visit, shots, error: null });
  }

  private updateShot(id: string, patch: Partial<Shot>): void {
    this.set({ shots: this.state.shots.map((s) => (s.id === id ? { ...s, ...patch } : s)) });
  }

  private set(patch: Partial<VisitState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }
}
