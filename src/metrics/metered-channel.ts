import type { Channel, SendResult } from '../channels/channel';
import { engineMetrics } from './engine-metrics';

/** One provider call timed into `promo_provider_call_duration_seconds`; `error` when it threw or no message in it was sent. */
async function timed<T extends SendResult | SendResult[]>(type: string, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let outcome: 'ok' | 'error' = 'error';
  try {
    const result = await call();
    const results: readonly SendResult[] = Array.isArray(result) ? result : [result];
    outcome = results.length > 0 && results.every((r) => r.status !== 'sent') ? 'error' : 'ok';
    return result;
  } finally {
    engineMetrics.providerCalled(type, (performance.now() - started) / 1000, outcome);
  }
}

/**
 * The channel with every provider call timed. Wrapping in the registry times every adapter
 * alike, without a line in each one.
 */
export function meteredChannel(channel: Channel): Channel {
  const metered: Channel = Object.create(channel);
  metered.send = (message) => timed(channel.type, () => channel.send(message));
  const sendBatch = channel.sendBatch?.bind(channel);
  if (sendBatch) metered.sendBatch = (messages) => timed(channel.type, () => sendBatch(messages));
  return metered;
}
