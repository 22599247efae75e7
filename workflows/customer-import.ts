import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from './contracts/activities';
import { IMPORT_FILE_ERROR, type CustomerImportInput } from './contracts/customer-import';

const { importCustomersChunk } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  // Heartbeats come after every batch of 500 rows; silence this long means the worker is gone.
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    maximumAttempts: 20,
    nonRetryableErrorTypes: [IMPORT_FILE_ERROR],
  },
});

const { finishCustomerImport } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * Imports one upload: each activity handles a run of batches and resumes from the cursor
 * committed on the async action, so the history grows by one activity per ~25,000 rows
 * and continue-as-new bounds even that. Ends the action DONE, or FAILED with the reason.
 */
export async function customerImportWorkflow(input: CustomerImportInput): Promise<void> {
  try {
    for (;;) {
      const { done } = await importCustomersChunk(input);
      if (done) break;
      if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof customerImportWorkflow>(input);
    }
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() =>
        finishCustomerImport({ ...input, failure: 'The import was cancelled.' }),
      );
      throw err;
    }
    if (err instanceof ActivityFailure) {
      await finishCustomerImport({ ...input, failure: failureReason(err) });
      return;
    }
    throw err;
  }
  await finishCustomerImport(input);
}

function failureReason(err: ActivityFailure): string {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === IMPORT_FILE_ERROR) return cause.message;
  return `The import stopped after repeated errors: ${cause?.message ?? err.message}`;
}
