import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
// The SDK is CommonJS; its types come along with the require.
import { VoucherifyServerSide } from '@voucherify/sdk';
import type { CustomerObject } from '@voucherify/sdk/dist/types/Customers';

/** Serves the app on an ephemeral port and returns Voucherify's official SDK pointed at it. */
export async function listenWithSdk(app: Express, auth: { 'X-App-Id': string; 'X-App-Token': string }) {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const client = VoucherifyServerSide({
    applicationId: auth['X-App-Id'],
    secretKey: auth['X-App-Token'],
    apiUrl: `http://127.0.0.1:${port}`,
  });
  return {
    client,
    /** customers.create typed as what this server returns (never Voucherify's double-opt-in "unconfirmed" shape). */
    createCustomer: (customer: Record<string, unknown>) =>
      client.customers.create(customer as never) as Promise<CustomerObject>,
    getCustomer: (idOrSourceId: string) => client.customers.get(idOrSourceId) as Promise<CustomerObject>,
    /** customers.update, accepting nulls (clear a field) that the SDK's types do not model. */
    updateCustomer: (customer: Record<string, unknown>) =>
      client.customers.update(customer as never) as Promise<CustomerObject>,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A browser still polling (the console's screens) keeps its connections busy, and close would wait for it.
        server.closeAllConnections();
      }),
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
