import type { Connection } from 'mongoose';
import { appKeyModel } from './app-key';

/** Every model of the service, bound to one connection (tests hold one per database). */
export function registerModels(db: Connection) {
  return {
    AppKey: appKeyModel(db),
  };
}

export type Models = ReturnType<typeof registerModels>;
