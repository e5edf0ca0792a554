import { z } from 'zod';
import { notFound } from '../errors';

/** Parses a request part at the edge; a ZodError becomes a 400 `invalid_request` in the error middleware. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  return schema.parse(value ?? {});
}

const idPattern = /^[1-9]\d{0,15}$/;

/** A numeric path id; anything else is a 404 for `what` (no ids leak through error shapes). */
export function pathId(raw: string | undefined, what = '客户'): number {
  if (raw && idPattern.test(raw)) return Number(raw);
  throw notFound(what);
}

const decimal = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** What a client sends to a `queryNumber(schema)`: the schema's own input, optional where the schema is. */
export type QueryNumber<S extends z.ZodType> = z.ZodPipe<z.ZodTransform<z.input<S>, z.input<S>>, S> & { _zod: { optin: S['_zod']['optin'] } };

/**
 * A query-string value for a number schema. `z.coerce.number()` reads `?lat=` as 0 and `?lat=0x10` as 16; here an
 * empty value counts as absent (a required one is refused, an optional one takes its default), only a decimal is a
 * number, a parameter given twice is refused, and anything else (a word) reaches `schema` as it came, which refuses it.
 */
export function queryNumber<S extends z.ZodType>(schema: S): QueryNumber<S> {
  // Typed by what a client sends (a number, or nothing where there is a default), not by the raw string.
  return z.preprocess((value, ctx) => {
    if (Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: '只能填写一次，请去掉重复的参数', input: value });
      return value;
    }
    if (typeof value !== 'string') return value;
    const text = value.trim();
    if (text === '') return undefined;
    return decimal.test(text) ? Number(text) : value;
  }, schema) as QueryNumber<S>;
}
