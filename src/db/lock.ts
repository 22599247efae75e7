import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LockModel } from '../models/lock';
import { onlyDuplicateKeys } from './duplicate-key';

export interface LockOptions {
  /** How long a holder may keep it before others take over (it should finish well within). */
  leaseMs?: number;
  /** How long to wait for a busy lock before giving up. */
  waitMs?: number;
}

export class LockBusyError extends Error {
  constructor(name: string) {
    super(`lock ${name} is busy`);
    this.name = 'LockBusyError';
  }
}

/** Runs `work` while holding the named lock, so checks and writes over several documents do not interleave. */
export async function withLock<T>(
  Lock: LockModel,
  name: string,
  work: () => Promise<T>,
  { leaseMs = 10_000, waitMs = 5_000 }: LockOptions = {},
): Promise<T> {
  const holder = randomUUID();
  const giveUpAt = Date.now() + waitMs;
  for (;;) {
    try {
      await Lock.create({ _id: name, holder, expiresAt: new Date(Date.now() + leaseMs) });
      break;
    } catch (err) {
      if (!onlyDuplicateKeys(err)) throw err;
    }
    // A crashed holder's lease runs out; removing only an expired one never frees a live holder's.
    await Lock.deleteOne({ _id: name, expiresAt: { $lt: new Date() } });
    if (Date.now() > giveUpAt) throw new LockBusyError(name);
    await sleep(20 + Math.random() * 30);
  }
  try {
    return await work();
  } finally {
    await Lock.deleteOne({ _id: name, holder });
  }
}
