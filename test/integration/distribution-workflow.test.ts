import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DomainError } from '../../src/errors';
import { domainErrorFromFailure, domainErrorToFailure } from '../../src/temporal/error-failure';
import type { DistributionActivities } from '../../workflows/contracts/activities';
import {
  cancelSignal,
  DISTRIBUTION_WORKFLOW,
  distributionWorkflowId,
  editUpdate,
  progressQuery,
  sendNowSignal,
  type DistributionEdit,
  type DistributionMark,
  type DistributionWorkflow,
  type DistributionWorkflowInput,
} from '../../workflows/contracts/distribution';
import { eventually } from '../helpers/sdk';

/**
 * The manual distribution workflow on its own: the real workflow code on a real Temporal server
 * (the run's dev server, through @temporalio/testing), with the activities replaced by an
 * in-memory distribution, so each test sees exactly which steps the workflow took. The dev server
 * has no time skipping (the Java test server cannot be fetched here): grace periods are seconds.
 */

interface FakeDistribution {
  gracePeriodSeconds: number;
  /** Snapshot pages of the audience, one batch of two customers each. */
  pages: number;
  marks: DistributionMark[];
  snapshots: number[];
  delivered: number[];
  /** What the activities did, in order: `snapshot <index> done`, `deliver <index>`. */
  steps: string[];
  /** Snapshot pages after the first wait (up to 10 s) for batch 0's delivery before answering. */
  slowSnapshot?: boolean;
  edits: DistributionEdit[];
  /** An edit with this name is refused as invalid, the way the service refuses one. */
  invalidName?: string;
}

const fakes = new Map<string, FakeDistribution>();
const fake = (id: string): FakeDistribution => {
  const d = fakes.get(id);
  if (!d) throw new Error(`no fake distribution ${id}`);
  return d;
};
const unused = async (): Promise<never> => {
  throw new Error('not expected in these runs');
};

const activities: DistributionActivities = {
  async loadDistributionForRun(id) {
    return {
      status: 'waiting_for_audience',
      name: id,
      trigger: 'manual',
      gracePeriodSeconds: fake(id).gracePeriodSeconds,
    };
  },
  async audienceReady() {
    return true;
  },
  async audienceState() {
    return 'ready';
  },
  async markDistribution(id, mark) {
    fake(id).marks.push(mark);
    return { updated: true };
  },
  snapshotAudience: unused,
  async snapshotAudiencePages(id, _after, index) {
    const d = fake(id);
    d.snapshots.push(index);
    if (d.slowSnapshot && index > 0) {
      const until = Date.now() + 10_000;
      while (!d.delivered.includes(0) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    }
    d.steps.push(`snapshot ${index} done`);
    return { batches: 1, recipients: 2, ...(index < d.pages - 1 ? { nextCursor: `after-${index}` } : {}) };
  },
  async deliverBatch(id, index) {
    fake(id).delivered.push(index);
    fake(id).steps.push(`deliver ${index}`);
    return { counts: { queued: 0, sent: 2, skipped: 0, failed: 0, unknown: 0 } };
  },
  async failQueuedMessages() {
    return { failed: 0 };
  },
  async applyDistributionEdit(id, edit) {
    const d = fake(id);
    if (edit.name === d.invalidName)
      throw domainErrorToFailure(
        DomainError.invalidFields('invalid_distribution', 'Invalid distribution', [
          { field: 'name', reason: 'refused' },
        ]),
      );
    d.edits.push(edit);
    return { version: d.edits.length + 1 };
  },
  stopForExhaustedPool: unused,
  recordPoolExhausted: unused,
  reopenPoolExhausted: unused,
  sendPoolExhaustedNotice: unused,
};

describe('the manual distribution workflow with mocked activities', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `distribution-workflow-${randomUUID()}`;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createFromExistingServer({
      address: process.env.TEST_TEMPORAL_ADDRESS!,
      namespace: 'default',
    });
    worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowsPath: require.resolve('../../workflows'),
      activities,
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  async function start(over: Partial<FakeDistribution> = {}, input: Partial<DistributionWorkflowInput> = {}) {
    const id = `distr_${randomUUID()}`;
    const d: FakeDistribution = {
      gracePeriodSeconds: 3_600,
      pages: 1,
      marks: [],
      snapshots: [],
      delivered: [],
      steps: [],
      edits: [],
      ...over,
    };
    fakes.set(id, d);
    const handle = await env.client.workflow.start<DistributionWorkflow>(DISTRIBUTION_WORKFLOW, {
      workflowId: distributionWorkflowId(id),
      taskQueue,
      args: [{ ...input, distributionId: id }],
    });
    return { id, d, handle };
  }
  const statuses = (d: FakeDistribution) => d.marks.map((m) => m.status);
  const scheduled = (handle: Awaited<ReturnType<typeof start>>['handle']) =>
    eventually(
      async () => {
        const p = await handle.query(progressQuery);
        return p.status === 'scheduled' ? p : undefined;
      },
      30_000,
      'scheduled',
    );

  it('waits the grace period before taking the audience, then delivers and completes', async () => {
    const { d, handle } = await start({ gracePeriodSeconds: 3 });
    const started = Date.now();
    const progress = await scheduled(handle);
    expect(Date.parse(progress.send_at!) - started).toBeGreaterThan(2_000);
    // Well inside the grace period nothing of the audience is read yet.
    expect(d.snapshots).toEqual([]);
    await handle.result();
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    expect(statuses(d)).toEqual(['waiting_for_audience', 'scheduled', 'sending', 'sending', 'completed']);
    expect(d.marks[1]!.send_at).toBe(progress.send_at);
    expect(d.marks[3]).toMatchObject({ status: 'sending', recipients_count: 2 });
    expect(d.delivered).toEqual([0]);
  });

  it('a cancel during the grace period ends it cancelled, with nothing read or delivered', async () => {
    const { d, handle } = await start();
    await scheduled(handle);
    await handle.signal(cancelSignal, { reason: 'changed_my_mind' });
    await handle.result();
    expect(statuses(d)).toEqual(['waiting_for_audience', 'scheduled', 'cancelled']);
    expect(d.marks[2]).toMatchObject({ status: 'cancelled', status_reason: 'changed_my_mind' });
    expect(d.snapshots).toEqual([]);
    expect(d.delivered).toEqual([]);
  });

  it('an edit in the grace period goes to the edit activity and answers its version; an invalid one comes back as the domain error', async () => {
    const { d, handle } = await start({ invalidName: 'Refused' });
    await scheduled(handle);
    await expect(handle.executeUpdate(editUpdate, { args: [{ name: 'Renamed' }] })).resolves.toEqual({ version: 2 });
    expect(d.edits).toEqual([{ name: 'Renamed' }]);

    const refused = await handle.executeUpdate(editUpdate, { args: [{ name: 'Refused' }] }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(domainErrorFromFailure(refused)).toMatchObject({
      kind: 'invalid',
      key: 'invalid_distribution',
      extra: { errors: [{ field: 'name', reason: 'refused' }] },
    });
    expect(d.edits).toHaveLength(1);
    // Still in its grace period after both: the refused edit changed nothing.
    expect((await handle.query(progressQuery)).status).toBe('scheduled');
    await handle.signal(cancelSignal, {});
    await handle.result();
  });

  it('send now ends an hour-long grace period at once', async () => {
    const { d, handle } = await start();
    await scheduled(handle);
    const signalled = Date.now();
    await handle.signal(sendNowSignal);
    await handle.result();
    expect(Date.now() - signalled).toBeLessThan(30_000);
    expect(statuses(d)).toEqual(['waiting_for_audience', 'scheduled', 'sending', 'sending', 'completed']);
    expect(d.delivered).toEqual([0]);
  });

  it('delivers the first snapshot batches while the later ones are still written', async () => {
    const { d, handle } = await start({ gracePeriodSeconds: 0, pages: 3, slowSnapshot: true });
    await handle.result();
    // Page 1 is answered only once batch 0 went out (or after 10 s, when delivery waited for the whole snapshot).
    expect(d.steps.indexOf('deliver 0')).toBeLessThan(d.steps.indexOf('snapshot 1 done'));
    expect(d.delivered.sort()).toEqual([0, 1, 2]);
    expect(d.snapshots).toEqual([0, 1, 2]);
    expect(d.marks.find((m) => m.recipients_count !== undefined)?.recipients_count).toBe(6);
    expect(d.marks.at(-1)?.status).toBe('completed');
  });

  it('continues as new every batch when told to, delivering each batch once and carrying the counts', async () => {
    const { d, handle } = await start({ gracePeriodSeconds: 0, pages: 3 }, { maxBatchesPerRun: 1 });
    await handle.result();
    expect(d.snapshots).toEqual([0, 1, 2]);
    expect(d.delivered).toEqual([0, 1, 2]);
    expect(d.marks.at(-1)?.status).toBe('completed');
    expect(d.marks.find((m) => m.recipients_count !== undefined)?.recipients_count).toBe(6);
    // Three runs: the first delivered batch 0, then one run per further batch.
    const latest = await env.client.workflow.getHandle(handle.workflowId).describe();
    expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    const runs = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const w of env.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` }))
          ids.push(w.runId);
        return ids.length >= 3 ? ids : undefined;
      },
      15_000,
      'three runs listed',
    );
    expect(new Set(runs).size).toBe(3);
  });
});
