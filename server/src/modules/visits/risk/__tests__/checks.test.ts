import { deviceChangedCheck } from '../device-changed.check';
import { frozenFixesCheck } from '../frozen-fixes.check';
import { impossibleSpeedCheck } from '../impossible-speed.check';
import { lowAccuracyCheck } from '../low-accuracy.check';
import { mockFlagMissingCheck } from '../mock-flag-missing.check';
import { mockLocationCheck } from '../mock-location.check';
import { outOfRangeCheck } from '../out-of-range.check';
import { replayedNonceCheck } from '../replayed-nonce.check';
import { formatAbove, formatNumber } from '../risk-format';
import { staleFixCheck } from '../stale-fix.check';
import { wifiMismatchCheck } from '../wifi-mismatch.check';
import { CUSTOMER, fixAt, genuineFacts, jitteredFixes, north, NOW, policy } from './facts';

describe('number formatting in details', () => {
  it('groups thousands and drops trailing zeros', () => {
    expect(formatNumber(1839.67)).toBe('1,840');
    expect(formatNumber(12.7, 1)).toBe('12.7');
    expect(formatNumber(300, 1)).toBe('300');
    expect(formatNumber(1234567.25, 1)).toBe('1,234,567.3');
  });

  it('shows just enough decimals for a value above its limit to read as above it', () => {
    expect(formatAbove(300.4, 300)).toBe('300.4');
    expect(formatAbove(400.01, 400)).toBe('400.01');
    expect(formatAbove(1839.67, 300)).toBe('1,840');
  });
});

describe('MOCK_LOCATION', () => {
  it('stays quiet when no fix is flagged', () => {
    const fixes = jitteredFixes().map((f) => ({ ...f, isMock: false }));
    expect(mockLocationCheck(genuineFacts({ fixes }), policy)).toBeNull();
  });

  it('fires when any one fix is flagged as mocked', () => {
    const fixes = jitteredFixes().map((f, i) => ({ ...f, isMock: i === 1 }));
    expect(mockLocationCheck(genuineFacts({ fixes }), policy)).toEqual({
      code: 'MOCK_LOCATION',
      detail: '1 of 3 fixes mocked',
      message: '手机报告定位来自模拟位置（虚拟定位软件或开发者选项）；请关闭模拟位置后到客户现场重新签到。',
      weight: 100,
    });
  });
});

describe('MOCK_LOCATION across platform classes', () => {
  it('believes a fix flagged as mocked even where the class is absent (an H5 client older than the source field)', () => {
    const fixes = jitteredFixes().map((f) => ({ ...f, isMock: true }));
    expect(mockLocationCheck(genuineFacts({ fixes, mockFlag: 'absent' }), policy)?.detail).toBe('3 of 3 fixes mocked');
  });

  it('cannot fire where the platform has no flag: WeCom or iOS fixes carry none', () => {
    expect(mockLocationCheck(genuineFacts({ fixes: jitteredFixes(), mockFlag: 'absent' }), policy)).toBeNull();
  });
});

describe('MOCK_FLAG_MISSING', () => {
  it('stays quiet where the platform has no flag to send', () => {
    expect(mockFlagMissingCheck(genuineFacts({ fixes: jitteredFixes(), mockFlag: 'absent' }), policy)).toBeNull();
  });

  it('stays quiet when a flag-carrying source sends its flag on every fix', () => {
    const fixes = jitteredFixes().map((f) => ({ ...f, isMock: false }));
    expect(mockFlagMissingCheck(genuineFacts({ fixes, mockFlag: 'available' }), policy)).toBeNull();
  });

  it('fires when DingTalk on Android sends a fix without the flag it always sets, at a suspect weight', () => {
    const fixes = jitteredFixes().map((f, i) => (i === 0 ? f : { ...f, isMock: false }));
    expect(mockFlagMissingCheck(genuineFacts({ fixes, mockFlag: 'available' }), policy)).toEqual({
      code: 'MOCK_FLAG_MISSING',
      detail: '1 of 3 fixes without a mock flag',
      message: '3 次定位中有 1 次缺少钉钉安卓客户端总会附带的模拟定位标记，像是被改过的客户端或伪造的请求；请用官方钉钉客户端重新签到。',
      weight: 30,
    });
  });
});

describe('OUT_OF_RANGE', () => {
  it('allows the radius plus the fix accuracy', () => {
    expect(outOfRangeCheck(genuineFacts({ fixes: [fixAt(312.6, 12.7)] }), policy)).toBeNull();
  });

  it('reports the measured distance against radius and accuracy, in full weight when far away', () => {
    expect(outOfRangeCheck(genuineFacts({ fixes: [fixAt(1839.67, 12.7)] }), policy)).toEqual({
      code: 'OUT_OF_RANGE',
      detail: '1,840 m > 300 m + 12.7 m',
      message: '定位距离客户约 1,840 米，超出允许的 300 米（已计入 12.7 米定位误差）；请到客户现场后重新签到。',
      weight: 100,
    });
  });

  it('caps the accuracy allowance at 100 m and counts half its weight just outside', () => {
    expect(outOfRangeCheck(genuineFacts({ fixes: [fixAt(399.99, 250)] }), policy)).toBeNull();
    const reason = outOfRangeCheck(genuineFacts({ fixes: [fixAt(400.01, 250)] }), policy);
    expect([reason?.detail, reason?.weight]).toEqual(['400.01 m > 300 m + 100 m', 50]);
  });

  it('grows the weight with the distance up to twice the allowed distance', () => {
    expect(outOfRangeCheck(genuineFacts({ fixes: [fixAt(600, 100)] }), policy)?.weight).toBe(75);
    expect(outOfRangeCheck(genuineFacts({ fixes: [fixAt(800, 100)] }), policy)?.weight).toBe(100);
  });

  it('trusts a precise fix over a coarse one taken seconds later', () => {
    const fixes = [fixAt(0, 5), fixAt(2000, 50)];
    expect(outOfRangeCheck(genuineFacts({ fixes }), policy)).toBeNull();
  });
});

describe('LOW_ACCURACY', () => {
  it('stays quiet at exactly the limit and judges the best fix', () => {
    expect(lowAccuracyCheck(genuineFacts({ fixes: [fixAt(0, 200)] }), policy)).toBeNull();
    expect(lowAccuracyCheck(genuineFacts({ fixes: [fixAt(0, 850), fixAt(0, 180)] }), policy)).toBeNull();
  });

  it('fires when even the best fix is coarser than the limit', () => {
    expect(lowAccuracyCheck(genuineFacts({ fixes: [fixAt(0, 200.4), fixAt(0, 1500)] }), policy)).toEqual({
      code: 'LOW_ACCURACY',
      detail: '200.4 m > 200 m',
      message: '定位精度只有约 200.4 米，差于要求的 200 米；请打开 GPS、到室外或窗边等定位稳定后重新签到。',
      weight: 30,
    });
  });
});

describe('STALE_FIX', () => {
  it('accepts a fix exactly maxFixAgeS old and one exactly maxClockSkewS in the future', () => {
    expect(staleFixCheck(genuineFacts({ fixes: [fixAt(0, 12.7, 120)] }), policy)).toBeNull();
    expect(staleFixCheck(genuineFacts({ fixes: [fixAt(0, 12.7, -300)] }), policy)).toBeNull();
  });

  it('reports the oldest fix when one is too old', () => {
    const fixes = [fixAt(0, 12.7, 3), fixAt(0, 12.7, 1840)];
    expect(staleFixCheck(genuineFacts({ fixes }), policy)).toEqual({
      code: 'STALE_FIX',
      detail: '1,840 s > 120 s',
      message: '定位是约 1,840 秒前取得的，超过允许的 120 秒（或手机时间偏慢）；请校准手机时间、重新定位后签到。',
      weight: 40,
    });
    expect(staleFixCheck(genuineFacts({ fixes: [fixAt(0, 12.7, 120.4)] }), policy)?.detail).toBe('120.4 s > 120 s');
  });

  it('reports a client clock running ahead of the server', () => {
    expect(staleFixCheck(genuineFacts({ fixes: [fixAt(0, 12.7, -301)] }), policy)).toEqual({
      code: 'STALE_FIX',
      detail: '-301 s < -300 s',
      message: '手机时间比服务器快约 301 秒，超过允许的 300 秒；请把手机时间设为自动后重新签到。',
      weight: 40,
    });
  });
});

describe('FROZEN_FIXES', () => {
  it('stays quiet on real jitter of 1e-6 degrees', () => {
    const fixes = [
      { lat: 31.2304001, lng: 121.4737001, accuracy: 10, ts: NOW - 4000 },
      { lat: 31.2304011, lng: 121.4737011, accuracy: 12.7, ts: NOW - 2000 },
    ];
    expect(frozenFixesCheck(genuineFacts({ fixes }), policy)).toBeNull();
  });

  it('fires on two fixes identical to seven decimals', () => {
    const fixes = jitteredFixes();
    fixes[2] = { ...fixes[2]!, lat: fixes[0]!.lat, lng: fixes[0]!.lng + 0.00000001 };
    expect(frozenFixesCheck(genuineFacts({ fixes }), policy)).toEqual({
      code: 'FROZEN_FIXES',
      detail: '2 of 3 fixes identical',
      message: '3 次定位中有 2 次坐标完全相同，真实定位总会有细微漂移；请关闭虚拟定位软件后重新签到。',
      weight: 40,
    });
  });

  it('fires on the same round accuracy on every fix', () => {
    const fixes = jitteredFixes().map((f) => ({ ...f, accuracy: 10 }));
    expect(frozenFixesCheck(genuineFacts({ fixes }), policy)).toEqual({
      code: 'FROZEN_FIXES',
      detail: '3 of 3 fixes at exactly 10 m',
      message: '3 次定位的精度都恰好是 10 米，像是软件写定的数值；请关闭虚拟定位软件后重新签到。',
      weight: 40,
    });
  });

  it('stays quiet on round accuracy that varies, a non-round repeated accuracy, or a single fix', () => {
    const withAccuracy = (...acc: number[]) => jitteredFixes().slice(0, acc.length).map((f, i) => ({ ...f, accuracy: acc[i]! }));
    expect(frozenFixesCheck(genuineFacts({ fixes: withAccuracy(10, 10, 30) }), policy)).toBeNull();
    expect(frozenFixesCheck(genuineFacts({ fixes: withAccuracy(12.5, 12.5) }), policy)).toBeNull();
    expect(frozenFixesCheck(genuineFacts({ fixes: withAccuracy(10) }), policy)).toBeNull();
  });
});

describe('IMPOSSIBLE_SPEED', () => {
  const from = (metresSouth: number, secondsAgo: number) => ({ ...north(-metresSouth), at: NOW - secondsAgo * 1000 });
  const at = (previousFix: ReturnType<typeof from>) => impossibleSpeedCheck(genuineFacts({ fixes: [fixAt(0)], previousFix }), policy);

  it('ignores moves under 1 km however quick, and floors the elapsed time at a minute', () => {
    expect(at(from(999, 0))).toBeNull();
    expect(at(from(2000, 10))).toBeNull();
  });

  it('stays quiet just under the limit', () => {
    expect(at(from(149_990, 3600))).toBeNull();
  });

  it('reports the implied speed with distance and time', () => {
    expect(at(from(3000, 60))).toEqual({
      code: 'IMPOSSIBLE_SPEED',
      detail: '180 km/h > 150 km/h',
      message: '距上一次签到约 3 公里、仅隔 1 分钟，折合每小时 180 公里，超过合理的 150 公里；请如实到达客户现场后签到。',
      weight: 100,
    });
    expect(at(from(150_010, 3600))?.detail).toBe('150.01 km/h > 150 km/h');
  });

  it("stays quiet on a rep's first visit", () => {
    expect(impossibleSpeedCheck(genuineFacts(), policy)).toBeNull();
  });
});

describe('WIFI_MISMATCH', () => {
  const wifi = [{ bssid: 'A4:56:02:3B:9C:11', ssid: 'ChinaNet-9C11' }];
  const seen = (metres: number, bssid = 'a4:56:02:3b:9c:11') => [{ bssid, ...north(metres) }];

  it('stays quiet when the access point was seen within wifiFarM of the customer', () => {
    expect(wifiMismatchCheck(genuineFacts({ wifi, bssidSightings: seen(1999.9) }), policy)).toBeNull();
  });

  it('fires when the access point was seen at a verified visit far away, matching BSSIDs case-insensitively', () => {
    expect(wifiMismatchCheck(genuineFacts({ wifi, bssidSightings: [...seen(800), ...seen(168_412.4)] }), policy)).toEqual({
      code: 'WIFI_MISMATCH',
      detail: '168,412 m > 2,000 m',
      message: '当前连接的 Wi-Fi（a4:56:02:3b:9c:11）曾在距该客户约 168.4 公里处的拜访中出现；请断开该 Wi-Fi 或到客户现场后重新签到。',
      weight: 40,
    });
  });

  it('ignores the placeholder BSSID Android reports without location permission', () => {
    const placeholder = [{ bssid: '02:00:00:00:00:00', ssid: '<unknown ssid>' }];
    const facts = genuineFacts({ wifi: placeholder, bssidSightings: seen(500_000, '02:00:00:00:00:00'), customer: { ...CUSTOMER, knownBssids: ['a4:56:02:3b:9c:11'] } });
    expect(wifiMismatchCheck(facts, policy)).toBeNull();
  });

  it('fires when the customer has known access points and none is reported', () => {
    const customer = { ...CUSTOMER, knownBssids: ['70:3a:0e:11:22:33', '70:3a:0e:11:22:34'] };
    expect(wifiMismatchCheck(genuineFacts({ wifi, customer }), policy)).toEqual({
      code: 'WIFI_MISMATCH',
      detail: '0 of 1 BSSIDs among 2 known',
      message: '当前连接的 Wi-Fi 不是该客户处以往拜访时连接过的网络；请确认已在客户现场，或断开 Wi-Fi 后重新签到。',
      weight: 40,
    });
  });

  it('stays quiet when a known access point is reported, or when no Wi-Fi is reported at all', () => {
    const customer = { ...CUSTOMER, knownBssids: ['a4:56:02:3b:9c:11', '70:3a:0e:11:22:34'] };
    expect(wifiMismatchCheck(genuineFacts({ wifi, customer }), policy)).toBeNull();
    expect(wifiMismatchCheck(genuineFacts({ wifi: [], customer }), policy)).toBeNull();
  });
});

describe('REPLAYED_NONCE', () => {
  it('stays quiet on a fresh nonce', () => {
    expect(replayedNonceCheck(genuineFacts(), policy)).toBeNull();
  });

  it.each([
    ['used', '签到校验码已被使用过，这是一次重放的请求；请在应用内重新签到。'],
    ['missing', '签到请求缺少一次性校验码，可能不是从应用内发起的；请在应用内重新签到。'],
    ['expired', '签到校验码已过期（页面停留太久）；请刷新页面后重新签到。'],
    ['unknown', '签到校验码无效，可能不是本系统签发的；请在应用内重新签到。'],
  ] as const)('fires on a %s nonce', (nonce, message) => {
    expect(replayedNonceCheck(genuineFacts({ nonce }), policy)).toEqual({ code: 'REPLAYED_NONCE', detail: `nonce ${nonce}`, message, weight: 100 });
  });
});

describe('DEVICE_CHANGED', () => {
  it('stays quiet on a first visit and on a known device', () => {
    expect(deviceChangedCheck(genuineFacts({ device: { firstVisit: true, known: false, label: 'iPhone 15 / iOS 17.5' } }), policy)).toBeNull();
    expect(deviceChangedCheck(genuineFacts(), policy)).toBeNull();
  });

  it('flags a rep checking in from a device never seen for them', () => {
    expect(deviceChangedCheck(genuineFacts({ device: { firstVisit: false, known: false, label: 'Xiaomi 14 / Android 14' } }), policy)).toEqual({
      code: 'DEVICE_CHANGED',
      detail: 'new device Xiaomi 14 / Android 14',
      message: '本次使用的设备（Xiaomi 14 / Android 14）与以往签到的设备不同；如已更换手机可忽略，否则请用本人手机签到。',
      weight: 10,
    });
  });
});
