import type { Db } from '../../db/create-db';
import { writeTransaction } from '../../db/write-retry';
import { addDays, localDate, startOfLocalDate } from '../../time';
import { firstLedgerAt, replaceSnapshots, snapshotDays } from './dashboard.repository';
import { tenantPools } from './dashboard.service';
import { computeDayRows, daysBetween, stockAt } from './day-rows.service';

/** How far back the first run reconstructs days from the ledger (bounded so a first run always finishes). */
export const BACKFILL_MAX_DAYS = 731;
/** Days reconstructed per query pass and transaction. */
const CHUNK_DAYS = 31;

export interface SnapshotResult {
  /** Days written, oldest first. */
  written: string[];
}

/** Contiguous runs of days (sorted input), each cut into chunks of at most `size`. */
function spans(days: string[], size: number): string[][] {
  const out: string[][] = [];
  for (const d of days) {
    const cur = out[out.length - 1];
    if (cur && cur.length < size && addDays(cur[cur.length - 1]!, 1) === d) cur.push(d);
    else out.push([d]);
  }
  return out;
}

/**
 * Writes the snapshot rows of every finished day that has none: yesterday on a normal night, and on the first run
 * every day back to the tenant's first ledger row (at most BACKFILL_MAX_DAYS), reconstructed from the ledger and the
 * visits. Days that have rows are left alone, so a rerun writes nothing. Reps and caps are today's: the org's history
 * is not kept, so backfilled days assume the current teams.
 */
export async function snapshotTenant(db: Db, tenant: { id: string; timeZone: string }, now: number): Promise<SnapshotResult> {
  const zone = tenant.timeZone;
  const yesterday = addDays(localDate(now, zone), -1);
  const first = await firstLedgerAt(db, tenant.id);
  if (first === null) return { written: [] };
  const oldest = [localDate(first, zone), addDays(yesterday, -(BACKFILL_MAX_DAYS - 1))].sort()[1]!;
  if (oldest > yesterday) return { written: [] };
  const have = await snapshotDays(db, tenant.id, oldest, yesterday);
  const missing = daysBetween(oldest, yesterday).filter((d) => !have.has(d));
  if (missing.length === 0) return { written: [] };
  const { pools } = await tenantPools(db, tenant.id);
  const written: string[] = [];
  // Newest first: each chunk's end-of-day stock is today's counts walked back through the ledger after it.
  for (const chunk of spans(missing, CHUNK_DAYS).reverse()) {
    const last = chunk[chunk.length - 1]!;
    const counts = await stockAt(db, tenant.id, startOfLocalDate(addDays(last, 1), zone));
    const rows = await computeDayRows(db, tenant.id, zone, pools, chunk[0]!, last, { at: 'end', counts });
    await writeTransaction(db, (trx) => replaceSnapshots(trx, tenant.id, rows, now));
    written.unshift(...chunk);
  }
  return { written };
}
