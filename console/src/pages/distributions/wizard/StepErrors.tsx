import { Alert, List } from '@mantine/core';
import { ApiError } from '../../../api/client';
import { stepOfField } from './form';

/** Every API field error that belongs to this step, listed at its top (inputs show their own too). */
export function StepErrors({ error, step }: { error: unknown; step: number }) {
  if (!(error instanceof ApiError)) return null;
  const mine = error.fieldErrors.filter((e) => stepOfField(e.field) === step);
  if (mine.length === 0) return null;
  return (
    <Alert color="red" title="The API refused these fields" role="alert" data-testid={`step-${step}-errors`}>
      <List size="sm">
        {mine.map((e) => (
          <List.Item key={`${e.field}:${e.reason}`}>
            <b>{e.field}</b>: {e.line ? `line ${e.line}: ` : ''}
            {e.reason}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}
