import jwt from 'jsonwebtoken';
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

  it('refuses a genuinely signed token without an expiry, with a time zone that does not exist, or with roles of the wrong shape', () => {
    const nowS = Math.floor(NOW / 1000);
    const sign = (payload: object) => jwt.sign({ ...claims, iat: nowS, exp: nowS + 3600, ...payload }, SECRET, { algorithm: 'HS256' });
    expect(verifyToken(sign({}), SECRET, NOW)).toEqual(claims);
    const { exp: _exp, ...forever } = JSON.parse(Buffer.from(sign({}).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(codeOf(() => verifyToken(jwt.sign(forever, SECRET, { algorithm: 'HS256' }), SECRET, NOW))).toBe('unauthenticated');
    for (const tz of ['Mars/Olympus_Mons', '', 8, null, undefined]) expect(codeOf(() => verifyToken(sign({ tz }), SECRET, NOW))).toBe('unauthenticated');
    for (const roles of ['admin', ['root'], [1], null, { 0: 'admin' }]) expect(codeOf(() => verifyToken(sign({ roles }), SECRET, NOW))).toBe('unauthenticated');
    expect(verifyToken(sign({ tz: 'America/New_York', roles: ['manager', 'hr'] }), SECRET, NOW)).toEqual({ ...claims, tz: 'America/New_York', roles: ['manager', 'hr'] });
  });
});
