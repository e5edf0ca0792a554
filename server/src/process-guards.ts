import pino, { type Logger } from 'pino';

/**
 * What the server does with an error nothing caught (DESIGN §15): log it and exit 1, so the supervisor (systemd
 * `Restart=always`, see README) starts a clean process. Requests never get here — each one's streams and emitters
 * settle its own promise (http/multipart.ts) — so reaching this means the process state can no longer be trusted;
 * carrying on would only hide the fault from everyone but the next tenant it hits.
 */
export function installProcessGuards(logger: Logger = pino({ base: undefined }, pino.destination({ fd: 2, sync: true }))): void {
  process.on('uncaughtException', (err, origin) => {
    logger.fatal({ err, origin }, 'uncaught exception: exiting with status 1 for the supervisor to restart the server');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection: exiting with status 1 for the supervisor to restart the server');
    process.exit(1);
  });
}
