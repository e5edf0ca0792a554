import { signToken, verifyToken } from '../jwt';

const SECRET = 'jwt-test-secret-jwt-test-secret-0001';
const NOW = Date.parse('2026-11-27T03:00:00Z');
const claims = { sub: 'rep01', tid: 'demo-dingtalk', roles: ['rep' as const], tz: 'Asia/Shanghai' };

describe('verifyToken', () => {
  const codeOf = (f: () => unknown) => {
    try {
      f();
      return 'ok';
    } catch (err) {
      return (err as { code?: string }).code;
    }
  };

  it('answers a remembered token the same as a fresh check, and still ends it at its expiry', () => {
    const token = signToken(claims, SECRET, 3600, NOW);
    expect(verifyToken(token, SECRET, NOW)).toEqual(claims);
    expect(verifyToken(token, SECRET, NOW + 3_599_000)).toEqual(claims);
    expect(codeOf(() => verifyToken(token, SECRET, NOW + 3_600_000))).toBe('token_expired');
    // Under another secret the same string is a stranger.
    expect(codeOf(() => verifyToken(token, 'another-secret-another-secret-000001', NOW))).toBe('unauthenticated');
  });

  it('refuses a token whose payload or signature was changed, even after the genuine one was remembered', () => {
    const token = signToken(claims, SECRET, 3600, NOW);
    expect(verifyToken(token, SECRET, NOW).sub).toBe('rep01');
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), roles: ['admin'] })).toString('base64url');
    expect(codeOf(() => verifyToken(`${header}.${forged}.${signature}`, SECRET, NOW))).toBe('unauthenticated');
    const flipped = signature!.slice(0, -2) + (signature!.endsWith('AA') ? 'BB' : 'AA');
    expect(codeOf(() => verifyToken(`${header}.${payload}.${flipped}`, SECRET, NOW))).toBe('unauthenticated');
  });
});
