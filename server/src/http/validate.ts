import type { z } from 'zod';
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
