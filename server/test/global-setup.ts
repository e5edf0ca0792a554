import { startThrowawayMariadb, type ThrowawayMariadb } from './mariadb-server';

/** Starts one throwaway MariaDB for the whole run unless MYSQL_URL points at a server already. */
export default async function globalSetup(): Promise<void> {
  if (process.env.MYSQL_URL) return;
  const server = await startThrowawayMariadb();
  process.env.MYSQL_URL = server.url;
  // Global setup and teardown run in the same process: hand the child over so teardown can reap it.
  (globalThis as { gonghaiTestMariadb?: ThrowawayMariadb }).gonghaiTestMariadb = server;
}
