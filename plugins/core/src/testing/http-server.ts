import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  /** e.g. `http://127.0.0.1:54321` */
  origin: string;
  close(): Promise<void>;
}

/** Serves `listener` (e.g. a Koa app's `callback()`) on an ephemeral port of 127.0.0.1. */
export async function listenOnEphemeralPort(listener: RequestListener): Promise<RunningServer> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets of the client under test would otherwise hold `close` open.
        server.closeAllConnections();
      }),
  };
}

/** An origin where nothing listens: a port that was just free. */
export async function unusedOrigin(): Promise<string> {
  const probe = await listenOnEphemeralPort((_request, response) => response.end());
  await probe.close();
  return probe.origin;
}
