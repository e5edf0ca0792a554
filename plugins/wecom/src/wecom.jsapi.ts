import { createHash } from 'node:crypto';

/**
 * `sha1("jsapi_ticket=…&noncestr=…&timestamp=…&url=…")` in lower-case hex (wecom-api §2c): that exact order, raw
 * values, no URL-encoding, the URL without its fragment, the timestamp in seconds.
 */
export function weComJsapiSignature(input: { ticket: string; nonceStr: string; timestamp: string; url: string }): string {
  const text = `jsapi_ticket=${input.ticket}&noncestr=${input.nonceStr}&timestamp=${input.timestamp}&url=${input.url}`;
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** The URL as the JS-SDK signs it: everything before the first `#`. */
export function withoutFragment(url: string): string {
  const at = url.indexOf('#');
  return at === -1 ? url : url.slice(0, at);
}
