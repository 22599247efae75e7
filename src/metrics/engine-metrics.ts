import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The engine's counters, one set per process: the delivery code counts into it wherever it
 * runs (API process, worker process or both), and every `/metrics` of that process shows
 * it. Label values are bounded: channel types, message statuses and reasons are enums.
 */
export class EngineMetrics {
  readonly registry = new Registry();

  private readonly messages = new Counter({
    name: 'promo_messages_total',
    help: 'Distribution messages recorded, by channel type, final status (or `retrying`) and reason',
    labelNames: ['channel', 'status', 'reason'] as const,
    registers: [this.registry],
  });

  private readonly providerLatency = new Histogram({
    name: 'promo_provider_call_duration_seconds',
    help: 'Time a channel provider took to answer one send (or one batch send) call',
    labelNames: ['channel', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  private readonly eventLag = new Histogram({
    name: 'promo_event_lag_seconds',
    help: 'From an event written to its stage: `dispatched` (handed to Temporal), `delivered` (its automatic delivery started)',
    labelNames: ['stage'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  private readonly batches = new Gauge({
    name: 'promo_batches_in_flight',
    help: 'Delivery batches (manual distributions) and automatic deliveries running in this process',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  /** Messages a provider answered, as `outcomeWrites` records them: a transient error leaves the message `retrying`. */
  messagesSent(channel: string, results: readonly { status: 'sent' | 'permanent' | 'transient' }[]): void {
    for (const r of results) {
      if (r.status === 'sent') this.messages.inc({ channel, status: 'sent', reason: '' });
      else if (r.status === 'permanent') this.messages.inc({ channel, status: 'failed', reason: 'permanent_error' });
      else this.messages.inc({ channel, status: 'retrying', reason: 'transient_error' });
    }
  }

  /** Messages recorded final without a send (skipped, failed before sending, unknown); `collided` ones were counted by their first writer. */
  decisionsRecorded(
    channels: readonly { type: string }[],
    pending: readonly { id: string; index: number; decision: { send: true } | { send: false; status: string; reason: string } }[],
    collided: readonly string[],
  ): void {
    for (const p of pending) {
      if (p.decision.send || collided.includes(p.id)) continue;
      this.messages.inc({ channel: channels[p.index]?.type ?? 'unknown', status: p.decision.status, reason: p.decision.reason });
    }
  }

  /** A provider's answer to one call; `outcome` is `ok` or `error` (the call threw or every message in it failed). */
  providerCalled(channel: string, seconds: number, outcome: 'ok' | 'error'): void {
    this.providerLatency.observe({ channel, outcome }, seconds);
  }

  /** An event that reached an automatic delivery: its lag to delivery, and to dispatch when that was recorded first. */
  eventDelivered(event: { created_at: Date; dispatched_at?: Date | null }): void {
    const written = event.created_at.getTime();
    if (event.dispatched_at) this.eventLag.observe({ stage: 'dispatched' }, (event.dispatched_at.getTime() - written) / 1000);
    this.eventLag.observe({ stage: 'delivered' }, (Date.now() - written) / 1000);
  }

  /** Runs one batch (or automatic delivery) counted in flight, whatever its end. */
  async inFlight<T>(kind: 'batch' | 'automatic', work: () => Promise<T>): Promise<T> {
    this.batches.inc({ kind });
    try {
      return await work();
    } finally {
      this.batches.dec({ kind });
    }
  }
}

/** The process's engine metrics; hot paths count here with one call each. */
export const engineMetrics = new EngineMetrics();
