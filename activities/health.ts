import type { Connection } from 'mongoose';
import type { HealthActivities } from '../workflows/contracts/activities';

export interface HealthActivityDeps {
  db: Connection;
}

/** Activities behind the deep health check: prove the worker can reach the database. */
export function createHealthActivities({ db }: HealthActivityDeps): HealthActivities {
  return {
    /** Round-trips a ping to the database and reports how long it took. */
    async pingDatabase(): Promise<{ latencyMs: number }> {
      const started = performance.now();
      await db.db!.admin().ping();
      return { latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    },
  };
}
