import type { z } from 'zod';

/** Parses a request part at the edge; a ZodError becomes a 400 `invalid_request` in the error middleware. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  return schema.parse(value ?? {});
}

const idPattern = /^[1-9]\d{0,15}$/;

/** A numeric path id, or 404 for anything else (no ids leak through error shapes). */
export function pathId(raw: string | undefined): number | null {
  return raw && idPattern.test(raw) ? Number(raw) : null;
}
