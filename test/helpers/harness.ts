import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import { startWorker, type Stoppable } from '../../src/runtime';
import { createTestContext, type TestContext, type TestContextOptions } from './context';
import { eventually, listenWithSdk } from './sdk';

export interface Harness {
  t: TestContext;
  app: Express;
  sdk: Awaited<ReturnType<typeof listenWithSdk>>;
}

/**
 * The whole service for one describe block: its own database and task queue, a worker,
 * the Express app and the official SDK pointed at it. Registers the hooks; fields are
 * filled in by beforeAll.
 */
export function useServiceHarness(prefix: string, options: TestContextOptions = {}): Harness {
  const h = {} as Harness;
  let worker: Stoppable | undefined;
  beforeAll(async () => {
    h.t = await createTestContext(prefix, options);
    worker = await startWorker(h.t.ctx, h.t.temporalAddress);
    h.app = createApp(h.t.ctx);
    h.sdk = await listenWithSdk(h.app, h.t.auth);
  });
  afterAll(async () => {
    await h.sdk?.close();
    await worker?.stop();
    await h.t?.close();
  });
  return h;
}

/** Creates a campaign through the SDK and waits until its codes are generated. */
export async function createCampaign(sdk: Harness['sdk'], body: Record<string, unknown>) {
  const created = await sdk.client.campaigns.create(body as never);
  return eventually(
    async () => {
      const c = (await sdk.client.campaigns.get(created.id)) as unknown as {
        id: string;
        name: string;
        active: boolean;
        vouchers_generation_status: string;
      };
      return c.vouchers_generation_status === 'DONE' ? c : undefined;
    },
    30_000,
    'codes generated',
  );
}
