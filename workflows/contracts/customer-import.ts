/** The customer import workflow's contract (workflows/customer-import.ts). */

export const CUSTOMER_IMPORT_WORKFLOW = 'customerImportWorkflow';
export type CustomerImportWorkflow = (input: CustomerImportInput) => Promise<void>;

export interface CustomerImportInput {
  asyncActionId: string;
}

export function customerImportWorkflowId(asyncActionId: string): string {
  return `customer-import-${asyncActionId}`;
}

/** The Temporal failure type of an upload that cannot be imported at all; the workflow does not retry it. */
export const IMPORT_FILE_ERROR = 'ImportFileError';
