import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { OutboundRefusedError, literalRefusal } from './address-policy';
import { guardedLookup } from './guarded-lookup';

type ConnectCallback = (err: Error | null, socket?: Duplex) => void;

/** Agent options every guarded agent shares: the checking lookup and a connect timeout. */
const OPTIONS = { lookup: guardedLookup, timeout: 30_000 } as const;

type Connect = (options: unknown, callback: ConnectCallback) => Duplex | undefined;

/** Literal addresses are checked here because `net` connects to them without a lookup; names by `guardedLookup`. */
function guardedConnection(
  connect: Connect,
  options: { host?: string | null },
  callback: ConnectCallback,
): Duplex | undefined {
  const refusal = literalRefusal(options.host ?? '');
  if (!refusal) return connect(options, callback);
  callback(new OutboundRefusedError(refusal));
  return undefined;
}

/**
 * `http.Agent` for libraries built on node's `http` (the Mailchimp SDK's superagent): the
 * same checks as `outboundFetch`.
 */
export class GuardedHttpAgent extends http.Agent {
  constructor(options: http.AgentOptions = {}) {
    super({ ...options, ...OPTIONS });
  }

  override createConnection(options: { host?: string | null }, callback: ConnectCallback): Duplex | undefined {
    return guardedConnection(
      (o, cb) => (http.Agent.prototype as unknown as { createConnection: Connect }).createConnection.call(this, o, cb),
      options,
      callback,
    );
  }
}

export class GuardedHttpsAgent extends https.Agent {
  constructor(options: https.AgentOptions = {}) {
    super({ ...options, ...OPTIONS });
  }

  override createConnection(options: { host?: string | null }, callback: ConnectCallback): Duplex | undefined {
    return guardedConnection(
      (o, cb) => (https.Agent.prototype as unknown as { createConnection: Connect }).createConnection.call(this, o, cb),
      options,
      callback,
    );
  }
}

export const guardedHttpAgent = new GuardedHttpAgent({ keepAlive: true });
export const guardedHttpsAgent = new GuardedHttpsAgent({ keepAlive: true });

/** The guarded agent for a URL's protocol. */
export function guardedAgentFor(url: string): http.Agent {
  return url.startsWith('http:') ? guardedHttpAgent : guardedHttpsAgent;
}

/**
 * Makes the guarded agents the process's defaults, a safety net for any library that takes no
 * agent (no adapter today; Braze's SDK did): node's `http` uses `globalAgent` when a request names none, and a
 * new instance of its class for `agent: false`.
 */
export function installGuardedGlobalAgents(): void {
  if (http.globalAgent instanceof GuardedHttpAgent && https.globalAgent instanceof GuardedHttpsAgent) return;
  http.globalAgent = guardedHttpAgent;
  https.globalAgent = guardedHttpsAgent;
}
