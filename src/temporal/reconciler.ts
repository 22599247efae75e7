import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/**
 * Starts a workflow; false when its id policies refuse it (one with its id runs, or ran and may
 * not run again). With `workflowIdConflictPolicy: 'USE_EXISTING'` a running one is not refused.
 */
export async function startOnce<T extends Workflow>(
  temporal: Client,
  workflowType: string,
  options: WorkflowStartOptions<T>,
): Promise<boolean> {
  try {
    await temporal.workflow.start<T>(workflowType, options);
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/**
 * One write-then-start case: a document is written first, then its workflow started, so a crash
 * (or a Temporal outage) between the two leaves a document that says its workflow runs while
 * none was started. The document is the record; the workflow id is derived from it, so starting
 * again is idempotent under the id's policies.
 */
export interface WriteThenStart<D> {
  /** Documents that should have a running workflow and were written before `before` (so a start in flight is not raced). */
  stuck(before: Date): Promise<D[]>;
  /** Starts its workflow as the write's caller does; false when refused (see `startOnce`). */
  start(doc: D): Promise<boolean>;
  /**
   * For a workflow that runs once and may be ended from outside (terminate, timeout, a cancel in
   * the Temporal UI): each document is described first, only a never-started one is started, and
   * a closed one is handed to `recordClosed` instead — never a new run.
   */
  closed?: {
    workflowId(doc: D): string;
    /** The documents visibility lists as running, described no further (a shortcut: describe is the authority). */
    listedRunning?(docs: readonly D[]): Promise<ReadonlySet<D>>;
    /** Records how its workflow ended (`status.name` of the description, e.g. TERMINATED). */
    recordClosed(doc: D, workflowStatus: string): Promise<void>;
  };
}

/** The one reconciler of the write-then-start cases: starts what a crash left unstarted; the number started. */
export async function reconcile<D>(temporal: Client, c: WriteThenStart<D>, olderThanMs: number): Promise<number> {
  const stuck = await c.stuck(new Date(Date.now() - olderThanMs));
  const listed = c.closed?.listedRunning ? await c.closed.listedRunning(stuck) : new Set<D>();
  let started = 0;
  for (const doc of stuck) {
    if (listed.has(doc)) continue;
    if (c.closed) {
      let status: string;
      try {
        status = (await temporal.workflow.getHandle(c.closed.workflowId(doc)).describe()).status.name;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        if (await c.start(doc)) started++;
        continue;
      }
      if (status !== 'RUNNING') await c.closed.recordClosed(doc, status);
      continue;
    }
    if (await c.start(doc)) started++;
  }
  return started;
}
