import type { Clock } from '@gonghai/plugin-core';
import type { Actor } from '../../../context';
import type { Db } from '../../../db/create-db';
import { writeTransaction } from '../../../db/write-retry';
import { AppError } from '../../../errors';
import type { Geocoder } from '../../../geo/geocoder';
import { encodeGeohash, toGcj02 } from '../../../geo/geo';
import { localDate } from '../../../time';
import { OwnershipFacts } from '../../pool/ownership-facts';
import { decideChange, type RepCounts } from '../../pool/ownership-rules';
import { changeOf, recordCreations, applyOwnershipChanges, type OwnershipChange } from '../../pool/ownership-writer';
import { findPool } from '../../pool/pool.repository';
import { duplicateCandidates, lockTenantCustomerCreation } from '../customers.repository';
import type { DuplicateReason } from '../duplicates';
import { readCustomerSheet } from './customer-sheet';
import { insertContacts, insertPoolCustomer, tenantUsers } from './customer-import.repository';
import { validateImportRow, type ImportRow, type RowError } from './import-row';

/** The answer of an import, the same for a dry run and the real run of the same file. */
export interface ImportReport {
  dryRun: boolean;
  /** Data rows read (blank lines left out). */
  rows: number;
  created: number;
  /** Always 0: a row matching an existing customer is reported as a duplicate and never changes it (README). */
  updated: number;
  /** Rows not written: duplicates and rows with errors. */
  skipped: number;
  /** Created rows whose place came from their address. */
  geocoded: number;
  duplicates: { row: number; existingId: number | null; sameAsRow: number | null; reason: DuplicateReason }[];
  errors: RowError[];
}

/** Rows per transaction. */
export const IMPORT_BATCH = 500;
/** Addresses geocoded at once (the services' per-key QPS limits are low). */
const GEOCODE_CONCURRENCY = 5;
const REASON = '导入';

/** A row ready to write: checked, placed (GCJ-02), not a duplicate, owner resolved. */
interface PlacedRow extends ImportRow {
  lat: number;
  lng: number;
  geocoded: boolean;
  ownerId: string | null;
}

/** Thrown to roll a dry run back, carrying what it would have written. */
class DryRunRollback extends Error {
  constructor(readonly outcomes: { created: number; geocoded: number; duplicates: ImportReport['duplicates']; errors: RowError[] }[]) {
    super('dry run');
  }
}

/** Runs `work` on each item with at most `limit` in flight; answers results in order. */
async function mapBounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * Imports a customer sheet into `poolId` (issue 19 item 3): checks every row, places rows without coordinates through
 * the geocoder, reports duplicates of existing customers and of earlier rows, resolves each 负责人 by user id or unique
 * name, then writes batches of IMPORT_BATCH rows, one transaction each: the customer into the pool (ledger `created`)
 * and, for a row with an owner, the ownership decision `assign` (ledger `assigned`, reason 导入), whose refusal (cap,
 * membership) makes the row an error. A dry run runs the very same writes in one transaction and rolls it back, so
 * its report is the real run's.
 */
export async function importCustomers(
  db: Db,
  clock: Clock,
  geocoder: Geocoder | null,
  actor: Actor,
  input: { file: Buffer; filename: string; poolId: number; dryRun: boolean },
): Promise<ImportReport> {
  const { tenantId } = actor;
  const pool = await findPool(db, tenantId, input.poolId);
  if (!pool) throw new AppError(404, 'not_found', '公海不存在，请重新选择要导入的公海。');
  if (pool.archived) throw new AppError(422, 'pool_archived', `「${pool.name}」已归档，不能再导入客户；请选择其他公海。`);
  const sheet = await readCustomerSheet(input.file, input.filename);
  const report: ImportReport = { dryRun: input.dryRun, rows: sheet.length, created: 0, updated: 0, skipped: 0, geocoded: 0, duplicates: [], errors: [] };

  // 1. Cells.
  const valid: ImportRow[] = [];
  for (const r of sheet) {
    const v = validateImportRow(r);
    if (v.ok) valid.push(v.row);
    else report.errors.push(...v.errors);
  }

  // 2. Owners, by id or by a name only one user has.
  const users = await tenantUsers(db, tenantId);
  const byId = new Map(users.map((u) => [u.id, u]));
  const byName = new Map<string, string[]>();
  for (const u of users) byName.set(u.name, [...(byName.get(u.name) ?? []), u.id]);
  const owners = new Map<number, string | null>();
  const withOwner = valid.filter((r) => {
    if (r.owner === null) return owners.set(r.row, null);
    const named = byName.get(r.owner) ?? [];
    const id = byId.has(r.owner) ? r.owner : named.length === 1 ? named[0]! : null;
    if (id !== null) return owners.set(r.row, id);
    report.errors.push({
      row: r.row,
      column: '负责人',
      message:
        named.length > 1
          ? `有 ${named.length} 位员工叫「${r.owner}」：请改填员工的平台账号（userId），例如 ${named.slice(0, 3).join('、')}。`
          : `找不到员工「${r.owner}」：请填写平台账号（userId）或姓名，或留空放入公海。`,
    });
    return false;
  });

  // 3. Places: the sheet's coordinates, else the address through the geocoder.
  const placed = (
    await mapBounded(withOwner, GEOCODE_CONCURRENCY, async (r): Promise<PlacedRow | null> => {
      const ownerId = owners.get(r.row) ?? null;
      if (r.point) return { ...r, ...toGcj02(r.point.lat, r.point.lng, r.point.coord), geocoded: false, ownerId };
      if (!geocoder) {
        report.errors.push({ row: r.row, column: '地址', message: '没有经纬度，且本企业未配置地理编码服务：请填写纬度和经度，或请管理员配置高德 Web 服务 Key。' });
        return null;
      }
      let place;
      try {
        place = await geocoder.geocode(r.address);
      } catch (e) {
        report.errors.push({ row: r.row, column: '地址', message: e instanceof AppError ? e.message : '地理编码服务出错，请稍后重试或填写经纬度。' });
        return null;
      }
      if (!place) {
        report.errors.push({ row: r.row, column: '地址', message: `无法根据地址「${r.address}」定位：请写全省市区和门牌号，或直接填写纬度和经度。` });
        return null;
      }
      return { ...r, lat: place.lat, lng: place.lng, geocoded: true, ownerId };
    })
  ).filter((r): r is PlacedRow => r !== null);

  // 4. Duplicates: of the tenant's customers (those sharing a key with a row), and of earlier rows of this file.
  const candidateOf = (r: PlacedRow) => ({ name: r.name, lat: r.lat, lng: r.lng, phones: r.contact?.phone ? [r.contact.phone] : [] });
  const index = await duplicateCandidates(db, tenantId, placed.map(candidateOf));
  const fresh: PlacedRow[] = [];
  for (const r of placed) {
    const { phones } = candidateOf(r);
    const match = index.match(candidateOf(r));
    if (match) {
      const earlier = match.existing.id < 0;
      report.duplicates.push({ row: r.row, existingId: earlier ? null : match.existing.id, sameAsRow: earlier ? -match.existing.id : null, reason: match.reason });
      continue;
    }
    // Later rows are checked against this one: a negative id marks a row of the file.
    index.add({ id: -r.row, name: r.name, lat: r.lat, lng: r.lng, status: 'pool', poolId: pool.id, ownerId: null }, phones);
    fresh.push(r);
  }

  // 5. Writes, batch by batch.
  const now = clock.now();
  const day = localDate(now, actor.timeZone);
  /** What one batch's transaction found; merged into the report only once it committed (a retried run starts afresh). */
  type BatchOutcome = Pick<ImportReport, 'created' | 'geocoded' | 'duplicates' | 'errors'>;
  const writeBatch = async (trx: Db, batch: PlacedRow[]): Promise<BatchOutcome> => {
    const out: BatchOutcome = { created: 0, geocoded: 0, duplicates: [], errors: [] };
    // Under the tenant's creation lock, the batch's rows again against the customers now stored: one created since the
    // check above (a rep's 新建, another import) makes its row a duplicate, never a second customer (撞单). A dry run
    // writes nothing that stays, so it does not hold up the tenant's creations for its whole length.
    if (!input.dryRun) await lockTenantCustomerCreation(trx, tenantId);
    const stored = await duplicateCandidates(trx, tenantId, batch.map(candidateOf));
    const rows = batch.filter((r) => {
      const match = stored.match(candidateOf(r));
      if (match) out.duplicates.push({ row: r.row, existingId: match.existing.id, sameAsRow: null, reason: match.reason });
      return !match;
    });
    // The owners' counts in the pool, read under the lock their claims there take, kept current row by row.
    const facts = new Map<string, OwnershipFacts>();
    const counts = new Map<string, RepCounts>();
    for (const ownerId of new Set(rows.flatMap((r) => (r.ownerId ? [r.ownerId] : [])))) {
      const f = await OwnershipFacts.readCreation(trx, tenantId, day, ownerId, pool.id);
      facts.set(ownerId, f);
      counts.set(ownerId, f.countsOf(ownerId, pool.id));
    }
    const creations = [];
    const changes: OwnershipChange[] = [];
    const contacts = [];
    for (const r of rows) {
      let grant = null;
      if (r.ownerId !== null) {
        const f = facts.get(r.ownerId)!;
        const decision = decideChange(
          { status: 'pool', ownerId: null, poolId: pool.id, level: r.level, won: false, reservedByAssignmentId: null, priorOwnerId: null, priorOwnerBlockedUntil: null },
          f.pool(pool.id) ?? pool,
          counts.get(r.ownerId)!,
          { kind: 'assign', actor: { id: actor.userId, roles: actor.roles, inScope: true }, to: f.party(r.ownerId, pool.id), force: false, reason: REASON, now, timeZone: actor.timeZone },
        );
        if (!decision.ok) {
          out.errors.push({ row: r.row, column: '负责人', message: decision.message });
          continue;
        }
        grant = decision;
        counts.set(r.ownerId, decision.countsAfter!);
      }
      const customerId = await insertPoolCustomer(trx, {
        tenantId,
        name: r.name,
        address: r.address,
        lat: r.lat,
        lng: r.lng,
        geohash: encodeGeohash(r.lat, r.lng),
        level: r.level,
        tags: r.tags,
        poolId: pool.id,
        createdBy: actor.userId,
        now,
      });
      creations.push({ tenantId, customerId, toUserId: null, toPoolId: pool.id, actorId: actor.userId, reason: REASON, now });
      if (grant) changes.push(changeOf(tenantId, customerId, grant, now));
      if (r.contact) contacts.push({ tenantId, customerId, ...r.contact, now });
      out.created++;
      if (r.geocoded) out.geocoded++;
    }
    await insertContacts(trx, contacts);
    await recordCreations(trx, creations);
    await applyOwnershipChanges(trx, changes, { mustApply: true });
    return out;
  };
  const merge = (out: BatchOutcome) => {
    report.created += out.created;
    report.geocoded += out.geocoded;
    report.duplicates.push(...out.duplicates);
    report.errors.push(...out.errors);
  };

  const batches: PlacedRow[][] = [];
  for (let i = 0; i < fresh.length; i += IMPORT_BATCH) batches.push(fresh.slice(i, i + IMPORT_BATCH));
  if (input.dryRun) {
    // Every batch in one transaction, rolled back: later batches see the earlier ones' owners, as in the real run.
    const outcomes = await writeTransaction(db, async (trx) => {
      const all: BatchOutcome[] = [];
      for (const batch of batches) all.push(await writeBatch(trx, batch));
      throw new DryRunRollback(all);
    }).catch((e: unknown) => {
      if (!(e instanceof DryRunRollback)) throw e;
      return e.outcomes;
    });
    outcomes.forEach(merge);
  } else {
    for (const batch of batches) merge(await writeTransaction(db, (trx) => writeBatch(trx, batch)));
  }

  report.errors.sort((a, b) => a.row - b.row);
  report.duplicates.sort((a, b) => a.row - b.row);
  report.skipped = report.rows - report.created;
  return report;
}
