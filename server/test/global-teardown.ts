import { stopThrowawayMariadb, type ThrowawayMariadb } from './mariadb-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { gonghaiTestMariadb?: ThrowawayMariadb }).gonghaiTestMariadb;
  if (server) await stopThrowawayMariadb(server);
}
