import { distributionWorkflowId } from '../../workflows/contracts/distribution';
import { useConsoleBrowser } from '../helpers/console-browser';
import { startFakeWebhook, type FakeWebhook } from '../helpers/fake-webhook';
import { useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

// Response bodies are JSON whose shape each test asserts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** More than one snapshot batch (200 customers each), so the bar has a step between empty and full. */
const AUDIENCE = 201;
const SLOW = 'states-slow';

describe('the console in headless Chromium: a distribution waiting for its segment, sending with a progress bar, its Temporal UI link', () => {
  // Where the console links to; the link is read, not followed (the browser may not leave the service).
  const TEMPORAL_UI = 'http://127.0.0.1:8233';
  const h = useServiceHarness('consolestates', { temporalUiUrl: TEMPORAL_UI });
  const b = useConsoleBrowser(() => h.sdk.url, { auth: () => h.t.auth });
  let webhook: FakeWebhook;
  let segmentId: string;

  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${h.sdk.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...h.t.auth },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  }

  const manual = (name: string, path: string) => ({
    name,
    trigger: { type: 'manual' },
    purpose: { type: 'plain' },
    audience: { type: 'segment', segment_id: segmentId },
    channels: [
      { type: 'webhook', settings: { url: `${webhook.url}/${path}` }, template: { text: 'Hi {{ customer.name }}' } },
    ],
  });

  const segmentSynced = () =>
    eventually(
      async () =>
        (await h.t.ctx.models.Segment.findById(segmentId).lean())?.sync_status === 'synced' ? true : undefined,
      30_000,
      'segment synced',
    );

  beforeAll(async () => {
    webhook = await startFakeWebhook(h.t.ctx.settings.webhookSecret);
    const ids: string[] = [];
    for (let i = 0; i < AUDIENCE; i += 25) {
      const chunk = Array.from({ length: Math.min(25, AUDIENCE - i) }, (_, j) =>
        h.sdk.createCustomer({ source_id: i + j === 0 ? SLOW : `states-${i + j}`, name: `Customer ${i + j}` }),
      );
      ids.push(...(await Promise.all(chunk)).map((c) => c.id));
    }
    segmentId = (await api('POST', '/v1/segments', { name: 'States audience', type: 'static', customers: ids })).body
      .id;
    await segmentSynced();
  }, 120_000);
  afterAll(async () => {
    await webhook?.close();
  });

  it('shows a manual distribution waiting for its segment with the sync state beside its name, then counting down once synced', async () => {
    const { page } = b.c;
    // A sync still running: the segment reads `syncing` until it is done.
    await h.t.ctx.models.Segment.updateOne({ _id: segmentId }, { $set: { sync_status: 'syncing' } });
    const created = await api('POST', '/v1/distributions', {
      ...manual('Waits for its segment', 'waiting'),
      grace_period_seconds: 600,
    });
    expect(created.status).toBe(200);
    await page.goto(`/distributions/${created.body.id}`);
    await page.locator('[data-status="waiting_for_audience"]').first().waitFor();
    await page.getByText('Waiting for segment').filter({ hasText: 'States audience' }).waitFor();
    await page.locator('[data-sync="syncing"]').filter({ hasText: 'syncing…' }).waitFor();
    // Edit, cancel and send now are offered while it waits.
    for (const name of ['Cancel', 'Send now']) await page.getByRole('button', { name, exact: true }).waitFor();
    await page.getByRole('link', { name: 'Edit', exact: true }).waitFor();
    await b.c.screenshot('distribution-waiting-for-segment');
    expect(webhook.all.filter((r) => r.path === '/hook/waiting')).toHaveLength(0);

    // The sync ends: the workflow sees it at its next poll and the page moves on to the grace period.
    await h.t.ctx.models.Segment.updateOne({ _id: segmentId }, { $set: { sync_status: 'synced' } });
    await page.locator('[data-status="scheduled"]').first().waitFor({ timeout: 30_000 });
    await page
      .getByTestId('countdown')
      .filter({ hasText: /Sends in (9|10) min/ })
      .waitFor();
    expect(await page.getByText('Waiting for segment').count()).toBe(0);
    await api('POST', `/v1/distributions/${created.body.id}/cancel`);
  }, 90_000);

  it('shows a progress bar with recipients and batches while a manual distribution sends, then its report', async () => {
    const { page } = b.c;
    // One customer's message takes 7 s to be accepted: the batch holding it is still in flight once the other is done.
    webhook.respond((r) =>
      (r.body as { customer?: { source_id?: string } }).customer?.source_id === SLOW
        ? { status: 200, delayMs: 7000 }
        : undefined,
    );
    const created = await api('POST', '/v1/distributions', {
      ...manual('Sends with progress', 'progress'),
      grace_period_seconds: 0,
    });
    expect(created.status).toBe(200);
    await page.goto(`/distributions/${created.body.id}`);
    const bar = page.getByRole('progressbar', { name: 'Sending progress' });
    await page.locator('[data-status="sending"]').first().waitFor({ timeout: 30_000 });
    await page.getByText(`Sending to ${AUDIENCE} recipients: batch 1 of 2`).waitFor({ timeout: 20_000 });
    expect(await bar.getAttribute('aria-valuenow')).toBe('50');
    await page.getByRole('button', { name: 'Stop sending' }).waitFor();
    await b.c.screenshot('distribution-sending');

    await page.locator('[data-status="completed"]').first().waitFor({ timeout: 30_000 });
    expect(await bar.count()).toBe(0);
    await page
      .getByTestId('sent-webhook')
      .filter({ hasText: String(AUDIENCE) })
      .waitFor({ timeout: 15_000 });
    expect(webhook.requests.filter((r) => r.path === '/hook/progress')).toHaveLength(AUDIENCE);
    webhook.respond(undefined);
  }, 90_000);

  it("lists each distribution's sent counts from the list answer alone, without a report call per row", async () => {
    const { page } = b.c;
    const asked: string[] = [];
    const record = (r: { url(): string }) => asked.push(new URL(r.url()).pathname);
    page.on('request', record);
    await page.getByRole('link', { name: 'Distributions' }).click();
    const row = page.getByRole('table', { name: 'Distributions' }).getByRole('row', { name: /Sends with progress/ });
    await row
      .getByTestId('list-totals')
      .filter({ hasText: `${AUDIENCE} sent` })
      .waitFor();
    await page
      .getByRole('table', { name: 'Distributions' })
      .getByRole('row', { name: /Waits for its segment/ })
      .getByTestId('list-totals')
      .filter({ hasText: '0 sent' })
      .waitFor();
    page.off('request', record);
    expect(asked.filter((p) => p.endsWith('/report'))).toEqual([]);
    expect(asked.filter((p) => p === '/v1/distributions').length).toBeGreaterThanOrEqual(1);
    await b.c.screenshot('distributions-list-counts');
  }, 60_000);

  it("links to the distribution's workflow in the configured Temporal Web UI", async () => {
    const { page } = b.c;
    const { id } = (await api('GET', '/v1/distributions?name=Sends with progress')).body.data[0];
    await page.goto(`/distributions/${id}`);
    const link = page.getByRole('link', { name: 'Workflow in the Temporal Web UI' });
    expect(await link.getAttribute('href')).toBe(`${TEMPORAL_UI}/namespaces/default/workflows/distribution-${id}`);
    expect(await link.getAttribute('target')).toBe('_blank');
    // The workflow the link names is the distribution's own, in that namespace.
    const described = await h.t.ctx.temporal.workflow.getHandle(distributionWorkflowId(id)).describe();
    expect(described.workflowId).toBe(`distribution-${id}`);
    expect(h.t.ctx.temporal.options.namespace).toBe('default');
  }, 30_000);

  it('shows what is true of a paused automatic distribution, and a success message clear of the Sign out button', async () => {
    const { page } = b.c;
    const created = await api('POST', '/v1/distributions', {
      name: 'Automatic to pause',
      trigger: { type: 'order_paid' },
      purpose: { type: 'plain' },
      channels: [{ type: 'webhook', settings: { url: `${webhook.url}/auto` }, template: { text: 'Thanks' } }],
    });
    await page.goto(`/distributions/${created.body.id}`);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('[data-status="paused"]').first().waitFor();
    const toast = page.getByRole('alert').filter({ hasText: 'Distribution paused' });
    await toast.waitFor();
    const [toastBox, signOutBox] = await Promise.all([
      toast.boundingBox(),
      page.getByRole('button', { name: 'Sign out' }).boundingBox(),
    ]);
    const overlap =
      toastBox!.x < signOutBox!.x + signOutBox!.width &&
      signOutBox!.x < toastBox!.x + toastBox!.width &&
      toastBox!.y < signOutBox!.y + signOutBox!.height &&
      signOutBox!.y < toastBox!.y + toastBox!.height;
    expect(overlap).toBe(false);
    // An automatic one never starts or completes: it shows when it was created and last changed.
    const dates = page.getByTestId('dates');
    await dates.getByText(/^Last changed: \d/).waitFor();
    expect(await dates.textContent()).toMatch(/^Created: \d.*Last changed: \d/);
    expect(await dates.textContent()).not.toMatch(/—|Started|Completed/);
    await b.c.screenshot('distribution-automatic-paused');
    expect(b.c.problems).toEqual([]);
  }, 30_000);
});
