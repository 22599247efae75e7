import fs from 'node:fs';

/** Stops the servers global-setup started; nothing started by the run outlives it. */
export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as { __TEST_SERVERS__?: { stops: Array<() => Promise<void>>; runDir: string } })
    .__TEST_SERVERS__;
  if (!servers) return;
  await Promise.all(servers.stops.map((stop) => stop()));
  fs.rmSync(servers.runDir, { recursive: true, force: true });
}
