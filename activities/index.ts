import { createHealthActivities, type HealthActivityDeps } from './health';

export type ActivityDeps = HealthActivityDeps;

/** Every activity the worker registers, built once over the worker's dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
