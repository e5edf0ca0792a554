import { z } from 'zod';
import { queryNumber } from '../../http/validate';
import { checkInBody } from '../visits/visits';

export interface Pool {
  id: number;
  tenantId: string;
  name: string;
  parentPoolId: number | null;
  escalateAfterDays: number | null;
  escalateToPoolId: number | null;
  maxOwnedPerRep: number;
  maxOwnedPerLevel: Record<string, number>;
  capExcludesWon: boolean;
  dailyClaimLimit: number;
  priorOwnerCooldownDays: number;
  claimRadiusM: number | null;
  /** Archived by an admin: it takes no customers any more (absent counts as in use). */
  archived?: boolean;
}

const coord = z.enum(['gcj02', 'wgs84']).default('gcj02');
const lat = z.number().min(-90).max(90);
const lng = z.number().min(-180).max(180);

export const nearbyQuery = z.object({
  lat: queryNumber(lat),
  lng: queryNumber(lng),
  radius: queryNumber(z.number().int().min(1).max(5000).default(1000)),
  coord,
  limit: queryNumber(z.number().int().min(1).max(500).default(100)),
});

export const poolListQuery = z.object({
  poolId: queryNumber(z.number().int().positive().optional()),
  q: z.string().trim().max(100).optional(),
  cursor: z.string().regex(/^\d+$/, '必须是上一页返回的 nextCursor').optional(),
  limit: queryNumber(z.number().int().min(1).max(200).default(50)),
});

export const claimBody = z
  .object({
    lat: lat.optional(),
    lng: lng.optional(),
    accuracy: z.number().min(0).max(100_000).optional(),
    coord,
    // A pool with a claim radius judges the location as a check-in's (claim-location.ts): a nonce from
    // `POST /api/v1/visits/nonce`, the fixes, Wi-Fi and device, in the check-in's own shapes. Optional elsewhere.
    nonce: checkInBody.shape.nonce,
    fixes: checkInBody.shape.fixes.optional(),
    wifi: checkInBody.shape.wifi.unwrap().optional(),
    device: checkInBody.shape.device.optional(),
  })
  .refine((b) => (b.lat === undefined) === (b.lng === undefined), { message: 'lat 和 lng 必须同时提供' });

export const releaseBody = z.object({
  reason: z.string().trim().max(200).optional(),
  note: z.string().trim().max(1000).optional(),
});

export const assignBody = z.object({
  userId: z.string().trim().min(1).max(64),
  reason: z.string().trim().min(1, '请填写分配原因').max(500),
  force: z.boolean().default(false),
});

export type NearbyQuery = z.infer<typeof nearbyQuery>;
export type PoolListQuery = z.infer<typeof poolListQuery>;
export type ClaimBody = z.infer<typeof claimBody>;
