import { AccessTokenCache } from '../access-token-cache';
import { ManualClock } from '../testing/manual-clock';

describe('AccessTokenCache', () => {
  let clock: ManualClock;
  let cache: AccessTokenCache;
  let fetches: number;

  function fetchToken(value: string, expiresInSeconds = 7200) {
    return async () => {
      fetches += 1;
      return { accessToken: value, expiresInSeconds };
    };
  }

  beforeEach(() => {
    clock = new ManualClock();
    cache = new AccessTokenCache({ clock });
    fetches = 0;
  });

  it('keeps tokens of different apps apart', async () => {
    await expect(cache.get('corp-a/app', fetchToken('token-a'))).resolves.toBe('token-a');
    await expect(cache.get('corp-b/app', fetchToken('token-b'))).resolves.toBe('token-b');
    await expect(cache.get('corp-a/app', fetchToken('unused'))).resolves.toBe('token-a');
    expect(fetches).toBe(2);
  });

  it('lets every waiter see a failed fetch and tries again on the next call', async () => {
    const failing = async () => {
      fetches += 1;
      throw new Error('token endpoint down');
    };
    const waiters = [cache.get('app', failing), cache.get('app', failing)];

    await expect(Promise.all(waiters)).rejects.toThrow('token endpoint down');
    await expect(cache.get('app', fetchToken('fresh'))).resolves.toBe('fresh');
    expect(fetches).toBe(2);
  });

  it('drops a refused token only while it is still the cached one', async () => {
    await cache.get('app', fetchToken('first'));
    cache.invalidate('app', 'first');
    await expect(cache.get('app', fetchToken('second'))).resolves.toBe('second');

    cache.invalidate('app', 'first');
    await expect(cache.get('app', fetchToken('third'))).resolves.toBe('second');
    expect(fetches).toBe(2);
  });

  it('refreshes a short-lived token at half its lifetime rather than on every call', async () => {
    await cache.get('app', fetchToken('short', 400));
    clock.advance(199_000);
    await expect(cache.get('app', fetchToken('next', 400))).resolves.toBe('short');
    clock.advance(1000);
    await expect(cache.get('app', fetchToken('next', 400))).resolves.toBe('next');
    expect(fetches).toBe(2);
  });
});
