import { canonicalJson } from '../canonical-json';

describe('canonical JSON', () => {
  it('sorts keys at every level, drops undefined members, keeps array order and writes no whitespace', () => {
    const value = { b: 1, a: [3, { z: null, y: 'é', x: undefined }, undefined], c: { 'ä': true, Z: false, '10': -0, '9': 1.5e-7 } };
    expect(canonicalJson(value)).toBe('{"a":[3,{"y":"é","z":null},null],"b":1,"c":{"10":0,"9":1.5e-7,"Z":false,"ä":true}}');
  });

  it('orders keys by UTF-16 code unit, so an astral character sorts before the end of the BMP', () => {
    expect(canonicalJson({ '\uffff': 1, '\u{1f600}': 2, a: 3 })).toBe('{"a":3,"\u{1f600}":2,"\uffff":1}');
  });

  it('gives the same bytes whatever order the keys were built in, and refuses NaN and Infinity', () => {
    expect(canonicalJson({ kind: 'check_in', visitId: 7, fixes: [{ lng: 121.5, lat: 31.2 }] })).toBe(canonicalJson({ fixes: [{ lat: 31.2, lng: 121.5 }], visitId: 7, kind: 'check_in' }));
    expect(canonicalJson('中文 "quoted"')).toBe('"中文 \\"quoted\\""');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow('canonical JSON has no NaN or Infinity');
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow('canonical JSON has no NaN or Infinity');
  });
});
