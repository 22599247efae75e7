import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { freePort } from '../../src/embedded/managed-process';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/embedded/temporal-dev-server';
import { createApp } from '../../src/http/app';
import { DISTRIBUTION_WORKFLOW } from '../../workflows/contracts/distribution';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium, signIn } from '../helpers/console-browser';
import { useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

/**
 * The operator's console for running workflows is the Temporal Web UI, and payloads are
 * encrypted: this drives the real UI (the dev server's, with --ui-codec-endpoint) in Chromium
 * and checks that it shows a workflow's input decoded through the API's /codec for an operator
 * signed in to the console, and still encrypted for a browser that is not.
 */
describe('the Temporal Web UI decodes payloads through /codec for a signed-in operator', () => {
  const h = useServiceHarness('uidecode');
  let browser: Browser;
  let temporal: TemporalDevServer;
  let server: import('node:http').Server;
  let apiUrl = '';
  let client: Client;
  const workflowId = `distribution-ui-decode-${Date.now()}`;
  const marker = 'distr_ui_decode_probe';

  beforeAll(async () => {
    const config = loadConfig();
    const [port, uiPort] = [await freePort(), await freePort()];
    // The API the UI calls, with CORS for the UI's origin as `npm start` sets it.
    const app = createApp(h.t.ctx, { codecCorsOrigins: [`http://127.0.0.1:${uiPort}`] });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    temporal = await startTemporalDevServer({
      kind: config.EMBEDDED_TEMPORAL,
      toolsDir: config.TOOLS_DIR,
      port,
      uiPort,
      uiCodecEndpoint: `${apiUrl}/codec`,
      namespace: 'default',
      runDir: fs.mkdtempSync(path.join(os.tmpdir(), 'ui-decode-')),
    });
    client = new Client({
      connection: await Connection.connect({ address: temporal.address }),
      namespace: 'default',
      dataConverter: h.t.ctx.temporal.options.dataConverter,
    });
    // No worker polls this queue: the workflow waits, its input stays in the history for the UI to show.
    await client.workflow.start(DISTRIBUTION_WORKFLOW, {
      workflowId,
      taskQueue: 'ui-decode-no-worker',
      args: [{ distributionId: marker }],
    });
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await client?.connection.close();
    await temporal?.process.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Opens the workflow in the UI with the codec settings an operator saves once in its "Codec Server" dialog. */
  async function workflowPageText(page: Page): Promise<string> {
    await page.goto(temporal.uiUrl!);
    await page.evaluate(
      `localStorage.setItem('endpoint', JSON.stringify(${JSON.stringify(`${apiUrl}/codec`)}));
       localStorage.setItem('includeCredentials', 'true');
       localStorage.setItem('overrideRemoteCodecConfiguration', 'true');`,
    );
    await page.goto(`${temporal.uiUrl}/namespaces/default/workflows/${workflowId}`);
    await page.getByRole('heading', { name: 'Input', exact: true }).waitFor({ timeout: 30_000 });
    // The input box fills once the codec answered (or failed): wait for its JSON, decoded or not.
    await page.locator('text=/distributionId|binary\\/encrypted|encoding/').first().waitFor({ timeout: 30_000 });
    return page.locator('body').innerText();
  }

  it('the history itself holds the input encrypted', async () => {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    expect(Buffer.from(input?.data ?? []).toString()).not.toContain(marker);
  });

  it('shows the input decoded to an operator signed in to the console in the same browser', async () => {
    // Two origins (the console's and the UI's), one browser profile, as an operator has.
    const context = await browser.newContext({ baseURL: apiUrl, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, h.t.auth);
    // The UI may render before its first decode answer: read the page again until it has it.
    const text = await eventually(
      async () => {
        const t = await workflowPageText(page);
        return t.includes(marker) ? t : undefined;
      },
      60_000,
      'the decoded input in the UI',
    );
    expect(text).toContain(marker);
    await page.screenshot({ path: path.join(ARTIFACTS, 'temporal-ui-decoded.png'), fullPage: true });
    await context.close();
  }, 120_000);

  it('shows it still encrypted to a browser with no session: /codec decodes nothing without a key', async () => {
    const stranger = await browser.newContext();
    try {
      const page = await stranger.newPage();
      const text = await workflowPageText(page);
      await page.screenshot({ path: path.join(ARTIFACTS, 'temporal-ui-no-session.png'), fullPage: true });
      expect(text).not.toContain(marker);
    } finally {
      await stranger.close();
    }
  }, 120_000);
});
