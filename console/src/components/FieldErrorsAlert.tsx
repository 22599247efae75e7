import { Alert, Code, List } from '@mantine/core';
import { ApiError, type FieldError } from '../api/client';
import { fieldLabel } from './field-label';

/** The API's `errors[{field, reason}]` (those `only` keeps), listed so none goes unseen. */
export function FieldErrorsAlert({ error, only = () => true, testId }: { error: unknown; only?: (e: FieldError) => boolean; testId?: string }) {
  if (!(error instanceof ApiError)) return null;
  const shown = error.fieldErrors.filter(only);
  if (shown.length === 0) return null;
  return (
    <Alert color="red" title="Please correct these fields" role="alert" data-testid={testId}>
      <List size="sm">
        {shown.map((e) => (
          <List.Item key={`${e.field}:${e.reason}`}>
            <b>{fieldLabel(e.field)}</b> <Code>{e.field}</Code>: {e.line ? `line ${e.line}: ` : ''}
            {e.reason}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

/** Why a save failed: the refused fields when the API named them (those `only` keeps: the screen shows the rest beside their input), else its message. */
export function SaveErrorAlert({ error, only }: { error: Error | null; only?: (e: FieldError) => boolean }) {
  if (!error) return null;
  if (error instanceof ApiError && error.fieldErrors.length) return <FieldErrorsAlert error={error} {...(only ? { only } : {})} />;
  return (
    <Alert color="red" role="alert" title="Not saved">
      {error.message}
    </Alert>
  );
}
