import type { CheckInFacts, RiskPolicy, RiskReason } from './risk';

/** DEVICE_CHANGED: a rep who has checked in before does so from a device never seen for them. A flag, not a block. */
export function deviceChangedCheck(facts: CheckInFacts, policy: RiskPolicy): RiskReason | null {
  if (facts.device.firstVisit || facts.device.known) return null;
  return {
    code: 'DEVICE_CHANGED',
    detail: `new device ${facts.device.label}`,
    message: `本次使用的设备（${facts.device.label}）与以往签到的设备不同；如已更换手机可忽略，否则请用本人手机签到。`,
    weight: policy.weights.DEVICE_CHANGED,
  };
}
