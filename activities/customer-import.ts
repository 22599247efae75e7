import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { CustomerService } from '../src/customers/customer-service';
import { ImportFileError } from '../src/imports/import-file-error';
import type { CustomerImportActivities } from '../workflows/contracts/activities';
import { IMPORT_FILE_ERROR } from '../workflows/contracts/customer-import';
import { finishImport, runImport } from '../src/imports/import-run';
import type { Models } from '../src/models';
import type { Connection } from 'mongoose';

export interface CustomerImportActivityDeps {
  db: Connection;
  models: Models;
  /** The imports' customer service (`importCustomers` of src/context.ts): its events wait for the pump's sweep. */
  customers: CustomerService;
}

/** Rows one activity handles before handing back to the workflow (see workflows/customer-import.ts). */
export const ROWS_PER_ACTIVITY = 25_000;

export function createCustomerImportActivities({
  db,
  models,
  customers,
}: CustomerImportActivityDeps): CustomerImportActivities {
  return {
    /** Imports the next run of batches of an upload; `done` once the file is exhausted. */
    async importCustomersChunk({ asyncActionId }: { asyncActionId: string }): Promise<{ done: boolean }> {
      const activity = Context.current();
      try {
        return await runImport({ db, models, customers }, asyncActionId, {
          maxRows: ROWS_PER_ACTIVITY,
          afterBatch: (cursor) => {
            // Informational: a retry resumes from the cursor committed on the action, which this mirrors.
            activity.heartbeat(cursor);
            if (activity.cancellationSignal.aborted) throw new CancelledFailure('import activity cancelled');
          },
        });
      } catch (err) {
        if (err instanceof ImportFileError) throw ApplicationFailure.nonRetryable(err.message, IMPORT_FILE_ERROR);
        throw err;
      }
    },

    /** Marks the action DONE, or FAILED with `failure`, and removes its upload. */
    async finishCustomerImport({ asyncActionId, failure }: { asyncActionId: string; failure?: string }): Promise<void> {
      await finishImport({ db, models }, asyncActionId, failure);
    },
  };
}
