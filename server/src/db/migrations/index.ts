import type { Migration } from 'kysely';
import * as m01 from './2026-11-27-01-create-tenants';
import * as m02 from './2026-11-27-02-create-departments';
import * as m03 from './2026-11-27-03-create-users';
import * as m04 from './2026-11-27-04-create-pools';
import * as m05 from './2026-11-27-05-create-pool-rules';
import * as m06 from './2026-11-27-06-create-customers';
import * as m07 from './2026-11-27-07-create-ownership-events';
import * as m08 from './2026-11-27-08-create-follow-ups-and-deals';
import * as m09 from './2026-11-27-09-create-idempotency-keys';
import * as m10 from './2026-11-27-10-create-claim-counters';
import * as m11 from './2026-11-27-11-create-platform-events';
import * as m12 from './2026-11-27-12-create-visits';
import * as m13 from './2026-11-27-13-create-evidence-chain';
import * as m14 from './2026-11-27-14-create-rule-versions-and-calendar';
import * as m15 from './2026-11-27-15-create-outbox';
import * as m16 from './2026-11-27-16-create-job-leases';
import * as m17 from './2026-11-27-17-create-reclaim-runs';
import * as m18 from './2026-11-27-18-create-assignments';
import * as m19 from './2026-11-27-19-create-dashboard-snapshots';
import * as m21 from './2026-11-27-21-index-customer-clocks';
import * as m22 from './2026-11-27-22-create-rep-last-fixes';
import * as m23 from './2026-11-27-23-create-rep-devices';
import * as m24 from './2026-11-27-24-drop-visits-user-device';
import * as m25 from './2026-11-27-25-create-bssid-sightings';
import * as m26 from './2026-11-27-26-drop-visit-bssids';
import * as m27 from './2026-12-07-27-add-tenant-kind';
import * as m29 from './2026-12-07-29-unique-approval-instance';
import * as m30 from './2026-12-07-30-create-rate-limits';
import * as m31 from './2026-12-07-31-create-role-changes';
import * as m32 from './2026-12-07-32-visit-reviews';
import * as m33 from './2026-12-07-33-pool-archive';
import * as m35 from './2026-12-07-35-handovers-appeals';
import * as m34 from './2026-12-07-34-customer-edits';
import * as m36 from './2026-12-07-36-customer-dedupe-keys';
import * as m37 from './2026-12-07-37-dashboard-other-flows';
import * as m38 from './2026-12-07-38-customer-merges';
import * as m39 from './2026-12-07-39-change-stamps';

/** Every migration, in order. Listed statically so the same list works under tsx, Jest and a bundler. */
export const migrations: Record<string, Migration> = {
  '2026-11-27-01-create-tenants': m01,
  '2026-11-27-02-create-departments': m02,
  '2026-11-27-03-create-users': m03,
  '2026-11-27-04-create-pools': m04,
  '2026-11-27-05-create-pool-rules': m05,
  '2026-11-27-06-create-customers': m06,
  '2026-11-27-07-create-ownership-events': m07,
  '2026-11-27-08-create-follow-ups-and-deals': m08,
  '2026-11-27-09-create-idempotency-keys': m09,
  '2026-11-27-10-create-claim-counters': m10,
  '2026-11-27-11-create-platform-events': m11,
  '2026-11-27-12-create-visits': m12,
  '2026-11-27-13-create-evidence-chain': m13,
  '2026-11-27-14-create-rule-versions-and-calendar': m14,
  '2026-11-27-15-create-outbox': m15,
  '2026-11-27-16-create-job-leases': m16,
  '2026-11-27-17-create-reclaim-runs': m17,
  '2026-11-27-18-create-assignments': m18,
  '2026-11-27-19-create-dashboard-snapshots': m19,
  '2026-11-27-21-index-customer-clocks': m21,
  '2026-11-27-22-create-rep-last-fixes': m22,
  '2026-11-27-23-create-rep-devices': m23,
  '2026-11-27-24-drop-visits-user-device': m24,
  '2026-11-27-25-create-bssid-sightings': m25,
  '2026-11-27-26-drop-visit-bssids': m26,
  '2026-12-07-27-add-tenant-kind': m27,
  '2026-12-07-29-unique-approval-instance': m29,
  '2026-12-07-30-create-rate-limits': m30,
  '2026-12-07-31-create-role-changes': m31,
  '2026-12-07-32-visit-reviews': m32,
  '2026-12-07-33-pool-archive': m33,
  '2026-12-07-34-customer-edits': m34,
  '2026-12-07-35-handovers-appeals': m35,
  '2026-12-07-36-customer-dedupe-keys': m36,
  '2026-12-07-37-dashboard-other-flows': m37,
  '2026-12-07-38-customer-merges': m38,
  '2026-12-07-39-change-stamps': m39,
};
