import { AUTOMATIC_TRIGGERS, type AutomaticTrigger, type TriggerType } from '../../workflows/contracts/triggers';

export { AUTOMATIC_TRIGGERS, type AutomaticTrigger, type TriggerType } from '../../workflows/contracts/triggers';

export const AUTOMATIC_TRIGGER_TYPES = Object.keys(AUTOMATIC_TRIGGERS) as AutomaticTrigger[];
export const TRIGGER_TYPES: readonly TriggerType[] = ['manual', ...AUTOMATIC_TRIGGER_TYPES];

export function isAutomatic(type: TriggerType): type is AutomaticTrigger {
  return type !== 'manual';
}

/** The automatic triggers an event of this type can fire. */
export function triggersForEvent(eventType: string): AutomaticTrigger[] {
  return AUTOMATIC_TRIGGER_TYPES.filter((t) => AUTOMATIC_TRIGGERS[t].event === eventType);
}

/** Every event type some automatic trigger listens to. */
export const TRIGGER_EVENT_TYPES: readonly string[] = [
  ...new Set(AUTOMATIC_TRIGGER_TYPES.map((t) => AUTOMATIC_TRIGGERS[t].event)),
];
