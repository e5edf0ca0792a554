import { LOCATION_SOURCES, mockFlagClass, osFamily } from '../location-source';

describe('the platform class of a check-in (whether its fixes carry a mock flag)', () => {
  it('tells the OS from what each client reports', () => {
    expect(['Android 14', 'android 9', 'iOS 17.5.1', 'iPhone OS 17.5', 'iPad OS 16.1', 'HarmonyOS 4.2', 'Windows', '16.1.1', 'unknown'].map(osFamily)).toEqual([
      'android',
      'android',
      'ios',
      'ios',
      'ios',
      'harmony',
      'other',
      'other',
      'other',
    ]);
  });

  it('is available only for DingTalk on Android through startLocating or the H5 geolocation.get', () => {
    expect(mockFlagClass(['dd.startLocating', 'dd.startLocating'], 'Android 14')).toBe('available');
    expect(mockFlagClass(['dd.device.geolocation.get'], 'Android 13')).toBe('available');
  });

  it('is absent on iOS and HarmonyOS whatever the source, and where the OS is not named', () => {
    expect(mockFlagClass(['dd.startLocating'], 'iOS 17.5.1')).toBe('absent');
    expect(mockFlagClass(['dd.device.geolocation.get'], 'iPhone OS 17.5')).toBe('absent');
    expect(mockFlagClass(['dd.startLocating'], 'HarmonyOS 4.2')).toBe('absent');
    expect(mockFlagClass(['dd.startLocating'], '13')).toBe('absent');
  });

  it('is absent for every source without the flag, and when any one fix came from one', () => {
    const flagless = LOCATION_SOURCES.filter((s) => s !== 'dd.startLocating' && s !== 'dd.device.geolocation.get');
    expect(flagless).toEqual(['dd.getLocation', 'wx.getLocation', 'ww.getLocation', 'browser', 'unknown']);
    for (const source of flagless) expect(mockFlagClass([source], 'Android 14')).toBe('absent');
    expect(mockFlagClass(['dd.startLocating', 'dd.getLocation'], 'Android 14')).toBe('absent');
    expect(mockFlagClass([], 'Android 14')).toBe('absent');
  });
});
