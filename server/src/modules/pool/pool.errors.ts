import { AppError } from '../../errors';

export type PoolErrorCode =
  | 'already_owned'
  | 'owned_limit_reached'
  | 'daily_claim_limit_reached'
  | 'prior_owner_cooldown'
  | 'not_pool_member'
  | 'reserved'
  | 'too_far'
  | 'location_unverified'
  | 'location_required'
  | 'reason_required'
  | 'not_owner'
  | 'not_in_pool'
  | 'assignee_inactive'
  | 'user_inactive'
  | 'pool_archived'
  | 'forbidden';

export const poolError = (status: number, code: PoolErrorCode, message: string, details?: Record<string, unknown>) =>
  new AppError(status, code, message, details);
