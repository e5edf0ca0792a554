import type { VisitDto } from '@/services/api-types';

export type Verdict = VisitDto['verdict'];
export type RiskReason = VisitDto['risk']['reasons'][number];

/** The verdict as reps and managers read it (DESIGN §5.1). */
export const VERDICT_LABELS: Record<Verdict, string> = {
  verified: '已验证',
  suspect: '可疑',
  rejected: '被拒绝',
};

/** A short name for each signal, shown above the server's message. */
const TITLES: Record<string, string> = {
  OUT_OF_RANGE: '超出签到范围',
  LOW_ACCURACY: '定位精度不足',
  MOCK_LOCATION: '检测到模拟定位',
  MOCK_FLAG_MISSING: '缺少模拟定位标记',
  FROZEN_FIXES: '定位没有正常漂移',
  STALE_FIX: '定位时间不对',
  IMPOSSIBLE_SPEED: '移动速度不合理',
  WIFI_MISMATCH: 'Wi-Fi 与现场不符',
  REPLAYED_NONCE: '签到码无效',
  DEVICE_CHANGED: '更换了设备',
  PHOTO_REUSED: '照片重复使用',
  SHORT_DWELL: '停留时间太短',
  TOO_FEW_PHOTOS: '现场照片不足',
};

/** The short name of a reason code (the code itself when unknown, so nothing is hidden). */
export function reasonTitle(code: string): string {
  return TITLES[code] ?? code;
}

/** What a rep can do about each signal; the server's own message says what was measured. */
const FIXES: Record<string, string> = {
  OUT_OF_RANGE: '走近客户（到门店或办公地点门口）后重新签到',
  LOW_ACCURACY: '开启手机的精确定位（GPS），到室外或窗边等定位稳定后再签到',
  MOCK_LOCATION: '关闭虚拟定位、改位置类软件后重新签到',
  MOCK_FLAG_MISSING: '卸载改定位、隐藏模拟位置的插件，用官方钉钉客户端重新签到',
  FROZEN_FIXES: '关闭虚拟定位软件，重新签到',
  STALE_FIX: '把手机时间设为自动同步，重新定位后签到',
  IMPOSSIBLE_SPEED: '用本人常用手机签到；若刚换了手机或定位跳动，请稍后重试',
  WIFI_MISMATCH: '连接客户现场的 Wi-Fi，或关闭 Wi-Fi 后重新签到',
  REPLAYED_NONCE: '直接重新签到即可（会自动取得新的签到码）',
  DEVICE_CHANGED: '如已更换手机可忽略；否则请用本人手机签到',
  PHOTO_REUSED: '每次拜访请在现场重新拍照，不要重复使用旧照片',
  SHORT_DWELL: '在客户处停留足够时间后再点「完成拜访」',
  TOO_FEW_PHOTOS: '完成拜访前至少拍一张现场照片',
};

/** The hint for a reason code, or '' when there is nothing the rep can do. */
export function fixFor(code: string): string {
  return FIXES[code] ?? '';
}

/** The distinct hints for a rejected check-in, in the order of its reasons. */
export function fixesFor(reasons: { code: string }[]): string[] {
  return [...new Set(reasons.map((r) => fixFor(r.code)).filter((t) => t !== ''))];
}

/** `1234` → «1.2 公里», `86` → «86 米». */
export function formatMetres(m: number): string {
  return m >= 1000 ? `${Number((m / 1000).toFixed(1))} 公里` : `${Math.round(m)} 米`;
}

/** Dwell seconds as «8 分钟», «45 秒», «1 小时 5 分钟». */
export function formatDwell(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} 秒`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} 分钟`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} 小时${rest ? ` ${rest} 分钟` : ''}`;
}
