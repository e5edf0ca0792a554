import { startThrowawayMariadb } from './mariadb-server';

/** Starts one throwaway MariaDB for the whole run unless MYSQL_URL points at a server already. */
export default async function globalSetup(): Promise<void> {
  if (process.env.MYSQL_URL) return;
  const server = await startThrowawayMariadb();
  process.env.MYSQL_URL = server.url;
  process.env.GONGHAI_TEST_MARIADB = JSON.stringify({ pid: server.pid, dir: server.dir });
}
