/** One row per fire of a job for one scope: whoever inserts it (or takes over its expired lease) runs that fire. */
export interface JobLeasesTable {
  job: string;
  /** A tenant id, or 'server' for server-wide jobs. */
  scope: string;
  /** The scheduled instant, truncated to the minute (to the second for sub-minute schedules). */
  fire_at: number;
  holder: string;
  /** How many holders have claimed this fire; a fire that keeps crashing its holder is not retried for ever. */
  attempts: number;
  expires_at: number;
  /** NULL until the holder finished; a finished fire is never run again. */
  done_at: number | null;
  claimed_at: number;
}
