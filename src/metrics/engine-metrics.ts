import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliveryOutcome } from '../distributions/delivery-run';

export type InFlightKind = 'batch' | 'routing' | 'automatic';

/** The stages of `promo_event_lag_seconds`, in the order an event passes them. */
export const EVENT_LAG_STAGES = ['dispatched', 'routed', 'delivered'] as const;

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
    help: "From an event written to a stage: `dispatched` (Temporal accepted it and the event router took it), `routed` (the automatic deliveries it fires were sent inline or handed to their delivery workflows), `delivered` (one automatic distribution's messages for it ended final with one sent, inline or by its delivery workflow; once per event and distribution)",
    labelNames: ['stage'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  private readonly batches = new Gauge({
    name: 'promo_batches_in_flight',
    help: "Delivery work running in this process: `batch` (a manual distribution's batch), `routing` (events being routed, with their inline deliveries), `automatic` (a delivery its workflow retries)",
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

  /** Messages still queued when the retries ran out, failed in one update: their channel is not read back, so it is empty. */
  retriesExhausted(count: number): void {
    if (count > 0) this.messages.inc({ channel: '', status: 'failed', reason: 'retries_exhausted' }, count);
  }

  /** Messages recorded final without a send (skipped, failed before sending, unknown); `collided` ones were counted by their first writer. */
  decisionsRecorded(
    channels: readonly { type: string }[],
    pending: readonly {
      id: string;
      index: number;
      decision: { send: true } | { send: false; status: string; reason: string };
    }[],
    collided: readonly string[],
  ): void {
    for (const p of pending) {
      if (p.decision.send || collided.includes(p.id)) continue;
      this.messages.inc({
        channel: channels[p.index]?.type ?? 'unknown',
        status: p.decision.status,
        reason: p.decision.reason,
      });
    }
  }

  /** A provider's answer to one call; `outcome` is `ok` or `error` (the call threw or every message in it failed). */
  providerCalled(channel: string, seconds: number, outcome: 'ok' | 'error'): void {
    this.providerLatency.observe({ channel, outcome }, seconds);
  }

  /** Events the router took (`dispatched`) or finished routing (`routed`): each one's lag since it was written. */
  eventsAt(
    stage: Exclude<(typeof EVENT_LAG_STAGES)[number], 'delivered'>,
    events: readonly { created_at: Date }[],
  ): void {
    const now = Date.now();
    for (const e of events) this.eventLag.observe({ stage }, (now - e.created_at.getTime()) / 1000);
  }

  /**
   * One automatic distribution's delivery for an event, observed when it ends with its
   * messages final and at least one of them sent: an attempt left to retry is observed by the
   * attempt that finishes it (whose count includes what earlier attempts sent), not twice.
   */
  eventDelivered(event: { created_at: Date } | null | undefined, outcome: DeliveryOutcome): void {
    if (event && !outcome.retry && outcome.counts.sent > 0)
      this.eventLag.observe({ stage: 'delivered' }, (Date.now() - event.created_at.getTime()) / 1000);
  }

  /** Runs one piece of delivery work counted in flight, whatever its end. */
  async inFlight<T>(kind: InFlightKind, work: () => Promise<T>): Promise<T> {
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
