/** Refusals a manager may override knowingly with 强制交接 (the successor's cap, or a pool they are not a member of). */
export const FORCEABLE_CODES: readonly string[] = ['owned_limit_reached', 'not_pool_member'];

const HOUR = 3_600_000;

/**
 * The handover deadline as the list shows it: «还剩 31 小时，逾期退回公海» (whole hours, rounded down, so the page never
 * promises more time than there is), urgent under a day.
 */
export function deadlineText(deadline: string, now: number): { text: string; urgent: boolean } {
  const left = Date.parse(deadline) - now;
  if (left <= 0) return { text: '已逾期，即将退回公海', urgent: true };
  const hours = Math.floor(left / HOUR);
  return { text: hours < 1 ? '还剩不到 1 小时，逾期退回公海' : `还剩 ${hours} 小时，逾期退回公海`, urgent: left < 24 * HOUR };
}

/** «宏达贸易、新锐科技、…等 40 个客户» from the first few names and the total. */
export function customersText(names: string[], total: number): string {
  if (total === 0 || names.length === 0) return `${total} 个客户`;
  return names.length < total ? `${names.join('、')} 等 ${total} 个客户` : `${names.join('、')}（共 ${total} 个客户）`;
}
