import { FieldErrorsAlert } from '../../../components/FieldErrorsAlert';
import { stepOfField } from './form';

/** Every API field error that belongs to this step, listed at its top (inputs show their own too). */
export function StepErrors({ error, step }: { error: unknown; step: number }) {
  return <FieldErrorsAlert error={error} only={(e) => stepOfField(e.field) === step} testId={`step-${step}-errors`} />;
}
