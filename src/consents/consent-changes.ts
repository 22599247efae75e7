import type { ConsentDoc } from '../models/consent';
import type { ConsentGroupDoc } from '../models/consent-group';
import type { CustomerDoc } from '../models/customer';
import type { UnsubscribeChannel } from './channels';

export type ConsentDecisions = Map<string, { consent: ConsentDoc; granted: boolean }>;

/** A group's answer applies to each member; an answer naming a consent itself wins over its group's. */
export function decisionsOf(
  answers: Record<string, boolean>,
  consents: Map<string, ConsentDoc>,
  groups: ConsentGroupDoc[],
): ConsentDecisions {
  const decisions: ConsentDecisions = new Map();
  for (const group of groups) {
    for (const id of group.consents) {
      const consent = consents.get(id);
      if (consent && answers[group._id] !== undefined) decisions.set(id, { consent, granted: answers[group._id]! });
    }
  }
  for (const [id, granted] of Object.entries(answers)) {
    const consent = consents.get(id);
    if (consent) decisions.set(id, { consent, granted });
  }
  return decisions;
}

export interface ConsentChanges {
  /** Answers to store: new or different from what the customer has. */
  entries: CustomerDoc['consents'];
  given: ConsentDoc[];
  revoked: ConsentDoc[];
}

/**
 * What the decisions change. A first "no" is stored (the customer did answer) but is no
 * revocation: nothing that was granted stops being granted.
 */
export function consentChanges(
  current: CustomerDoc['consents'],
  decisions: ConsentDecisions,
  now: Date,
): ConsentChanges {
  const changes: ConsentChanges = { entries: {}, given: [], revoked: [] };
  for (const [id, { consent, granted }] of decisions) {
    const before = current[id];
    if (before?.granted === granted) continue;
    changes.entries[id] = { granted, updated_at: now };
    if (granted) changes.given.push(consent);
    else if (before?.granted === true) changes.revoked.push(consent);
  }
  return changes;
}

export interface ChannelAction {
  action: 'unsubscribe' | 'resubscribe';
  channel: UnsubscribeChannel;
}

/** Opt-outs after the action; resubscribing to `all` lifts every opt-out, per channel ones included. */
export function channelsAfter(current: readonly string[], { action, channel }: ChannelAction): string[] {
  if (action === 'unsubscribe') return current.includes(channel) ? [...current] : [...current, channel].sort();
  return channel === 'all' ? [] : current.filter((c) => c !== channel);
}

export function sameChannels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c) => b.includes(c));
}
