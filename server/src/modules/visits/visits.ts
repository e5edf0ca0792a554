import { z } from 'zod';
import { queryNumber } from '../../http/validate';
import { LOCATION_SOURCES } from './risk/location-source';
import type { RiskReason, Verdict } from './risk/risk';

const fix = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  accuracy: z.number().positive('定位精度必须大于 0').max(100_000),
  coord: z.enum(['gcj02', 'wgs84']).default('gcj02'),
  /** Client clock, ms since the epoch. */
  ts: z.number().int().positive(),
  /** Only where the source has a mock flag (DingTalk on Android: `dd.startLocating`, H5 `dd.device.geolocation.get`). */
  isMock: z.boolean().optional(),
  /** The client API the fix came from (risk/location-source.ts); clients older than the field send none. */
  source: z.enum(LOCATION_SOURCES, { message: `只能是 ${LOCATION_SOURCES.join('、')} 之一` }).default('unknown'),
});

export const checkInBody = z.object({
  customerId: z.number().int().positive(),
  nonce: z.string().max(64).optional(),
  fixes: z.array(fix).min(1, '至少需要一次定位').max(5, '最多 5 次定位'),
  wifi: z
    .array(
      z.object({
        bssid: z
          .string()
          .regex(/^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/, 'BSSID 格式应为 aa:bb:cc:dd:ee:ff')
          .transform((value) => value.toLowerCase().replace(/-/g, ':')),
        ssid: z.string().max(64).default(''),
        signal: z.number().min(-150).max(100).optional(),
      }),
    )
    .max(20)
    .default([]),
  device: z.object({
    platform: z.enum(['dingtalk', 'wecom', 'h5']),
    os: z.string().trim().min(1).max(64),
    model: z.string().trim().min(1).max(64),
    clientVersion: z.string().trim().min(1).max(32),
  }),
});
export type CheckInBody = z.infer<typeof checkInBody>;

export const finishBody = z.object({
  fix: fix.optional(),
  notes: z.string().trim().max(2000).optional(),
  feedback: z.string().trim().max(2000).optional(),
});
export type FinishBody = z.infer<typeof finishBody>;

export const visitListQuery = z.object({
  verdict: z.enum(['verified', 'suspect', 'rejected']).optional(),
  cursor: z.string().regex(/^\d+$/, '必须是上一页返回的 nextCursor').optional(),
  limit: queryNumber(z.number().int().min(1).max(200).default(50)),
});

export const reviewListQuery = visitListQuery.extend({
  verdict: z.enum(['suspect', 'rejected']).optional(),
});

/** `POST /api/v1/visits/:id/review`: a manager's or an admin's decision on a suspect visit. */
export const reviewBody = z.object({
  decision: z.enum(['verified', 'rejected'], { message: '只能是 verified（通过）或 rejected（驳回）' }),
  note: z.string().trim().max(500, '审核意见最多 500 字').optional(),
});
export type ReviewBody = z.infer<typeof reviewBody>;

/** Who decided a suspect visit, as what, when and why. */
export interface VisitReviewDto {
  decision: 'verified' | 'rejected';
  byUserId: string;
  byName: string | null;
  as: 'manager' | 'admin';
  at: string;
  note: string | null;
}

export interface PhotoDto {
  id: number;
  sha256: string;
  url: string;
  chainSeq: number;
  reused: boolean;
  createdAt: string;
}

export interface VisitDto {
  id: number;
  customerId: number;
  customerName?: string;
  userId: string;
  userName?: string;
  status: 'open' | 'finished';
  verdict: Verdict;
  risk: { score: number; reasons: RiskReason[] };
  distanceM: number;
  checkedInAt: string;
  finishedAt: string | null;
  dwellS: number | null;
  notes: string | null;
  feedback: string | null;
  review: VisitReviewDto | null;
  photos?: PhotoDto[];
}
