import type { ChannelAccount, OutgoingMessage, SendResult } from './channel';
import { contentGroups, EMAIL_ADDRESS, NO_ACCOUNT } from './http-provider';

/**
 * Sends messages that share an account and content in one provider request. One malformed
 * address makes SendGrid and Mailgun refuse the whole request, so those fail alone first.
 */
export async function sendToValidAddresses(
  provider: string,
  messages: OutgoingMessage[],
  post: (account: ChannelAccount, content: OutgoingMessage, recipients: OutgoingMessage[]) => Promise<SendResult>,
): Promise<SendResult[]> {
  const first = messages[0];
  const account = first?.account;
  if (!first || !account) return messages.map(() => NO_ACCOUNT);
  const valid = messages.filter((m) => EMAIL_ADDRESS.test(m.to));
  const results = new Map<OutgoingMessage, SendResult>();
  for (const m of messages)
    if (!valid.includes(m)) results.set(m, { status: 'permanent', error: `${provider}: invalid recipient address` });
  if (valid.length > 0) {
    const result = await post(account, first, valid);
    for (const m of valid) results.set(m, result);
  }
  return messages.map((m) => results.get(m) ?? NO_ACCOUNT);
}

/** Splits messages into requests of at most `max` that share account and content; one result per message, in order. */
export async function sendInContentGroups(
  messages: OutgoingMessage[],
  max: number,
  sendGroup: (group: OutgoingMessage[]) => Promise<SendResult[]>,
): Promise<SendResult[]> {
  const results: SendResult[] = new Array<SendResult>(messages.length);
  for (const group of contentGroups(messages)) {
    for (let start = 0; start < group.length; start += max) {
      const indexes = group.slice(start, start + max);
      const groupResults = await sendGroup(indexes.map((i) => messages[i] as OutgoingMessage));
      indexes.forEach((i, k) => {
        results[i] = groupResults[k] ?? NO_ACCOUNT;
      });
    }
  }
  return results;
}

/** The sender every email provider account names: a `from` address and an optional display name. */
export function senderProblems(settings: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof settings.from !== 'string' || !EMAIL_ADDRESS.test(settings.from))
    problems.push('from must be an email address');
  if (settings.from_name !== undefined && typeof settings.from_name !== 'string')
    problems.push('from_name must be a string');
  return problems;
}
