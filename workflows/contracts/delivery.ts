/** The contract of one automatic distribution's delivery for one event (workflows/delivery.ts). */

export const DELIVERY_WORKFLOW = 'deliveryWorkflow';
export type DeliveryWorkflow = (input: DeliveryWorkflowInput) => Promise<void>;

/** Deterministic, so a duplicated or replayed event never starts a second delivery. */
export function deliveryWorkflowId(distributionId: string, eventId: string): string {
  return `delivery-${distributionId}-${eventId}`;
}

export interface DeliveryWorkflowInput {
  distributionId: string;
  eventId: string;
  customerId: string;
}

/** What the delivery activity reports to the workflow. */
export type DeliveryForEventResult = { poolExhausted?: { campaignId: string } } | { inactive: string };
