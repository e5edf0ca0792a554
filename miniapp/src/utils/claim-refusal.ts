import { ApiError } from '@/services/errors';

/** A short title for each claim refusal (DESIGN §4.1); the server's message below it says why and until when. */
const TITLES: Record<string, string> = {
  already_owned: '已被他人领取',
  owned_limit_reached: '持有客户已达上限',
  daily_claim_limit_reached: '今日领取已达上限',
  prior_owner_cooldown: '冷却期内不能领取',
  too_far: '距离太远',
  location_required: '需要定位后领取',
  location_unverified: '定位未通过校验',
  reserved: '已被预留给新员工',
  not_pool_member: '不是该公海的成员',
  not_found: '客户已不存在',
};

/** Title and message for a failed claim, e.g. «已被他人领取» + «手慢了：该客户刚被其他同事领取…». */
export function explainClaimFailure(err: unknown): { title: string; message: string } {
  if (err instanceof ApiError) {
    // Claiming one's own customer again is answered with already_owned too, but it is not someone else's.
    const own = err.code === 'already_owned' && err.message.includes('已经是你的');
    return { title: own ? '已在你名下' : TITLES[err.code] ?? '领取失败', message: err.message };
  }
  return { title: '领取失败', message: err instanceof Error ? err.message : String(err) };
}
