/**
 * A random 128-bit key in hex (idempotency keys, client ids). Engine-safe: DingTalk's mini-program engine has no
 * `globalThis` (reading it throws), so the Web Crypto object is reached only through a `typeof` guard; the
 * mini-program engines have no `crypto` at all and fall back to Math.random, which is enough for a key that only has
 * to be unique, not secret.
 */
export function randomKey(): string {
  const bytes = new Uint8Array(16);
  const webCrypto = typeof crypto !== 'undefined' && crypto && typeof crypto.getRandomValues === 'function' ? crypto : null;
  if (webCrypto) webCrypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
