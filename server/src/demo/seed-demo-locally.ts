import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '@gonghai/config';
import type { Clock } from '@gonghai/plugin-core';
import { buildApp } from '../app';
import type { Db } from '../db/create-db';
import { syncTenantOrg } from '../modules/org/org-sync.service';
import { createSandboxes } from '../platform/registry';
import { createRuntime } from '../runtime';
import { demoOrgFixtures } from './demo-org';
import { seedDemo, type SeedResult } from './seed-demo';

/**
 * Seeds the demo without a running server (`npm run seed:demo`, tests): serves the sandboxes and callbacks on an
 * ephemeral loopback port for as long as the seed takes, so the org still arrives through a real directory sync.
 */
export async function seedDemoLocally(options: { config: AppConfig; db: Db; clock: Clock; log?: (line: string) => void }): Promise<SeedResult> {
  let baseUrl = '';
  // The sandboxes live only as long as this seed and serve only its demo tenants (seedDemo refuses beside a real one).
  const deps = createRuntime({ config: options.config, clock: options.clock, db: options.db, sandbox: true, sandboxBaseUrl: () => baseUrl });
  const sandboxes = createSandboxes(demoOrgFixtures(options.clock.now(), options.config.timeZone, () => baseUrl), options.clock);
  const app = buildApp(deps, { sandboxes });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    return await seedDemo(options.db, {
      secrets: deps.secrets,
      now: options.clock.now(),
      syncOrg: (tenantId) => syncTenantOrg(deps, tenantId),
      evidence: deps.evidence,
      log: options.log,
    });
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
