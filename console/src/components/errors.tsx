import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ApiError, type FieldError } from '../api/client';

/** A notification for a failed action: nothing fails silently. */
export function showError(title: string) {
  return (err: unknown) => notifications.show({ color: 'red', title, message: err instanceof Error ? err.message : String(err), autoClose: 8000 });
}

export function showSuccess(message: string) {
  notifications.show({ color: 'green', message });
}

/** The API's field errors that fall under one of these prefixes (e.g. `channels` for step 4). */
export function fieldErrorsUnder(err: unknown, prefixes: string[]): FieldError[] {
  if (!(err instanceof ApiError)) return [];
  return err.fieldErrors.filter((e) => prefixes.some((p) => e.field === p || e.field.startsWith(`${p}.`)));
}

/** The reason the API gave for one exact field, to show under its input. */
export function fieldError(err: unknown, field: string): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  const found = err.fieldErrors.filter((e) => e.field === field);
  return found.length ? found.map((e) => (e.line ? `line ${e.line}: ${e.reason}` : e.reason)).join('; ') : undefined;
}

/**
 * The spinner shown while something loads. `role="status"` makes it a live region a screen
 * reader announces; without a role, its aria-label is not allowed on the span Mantine renders
 * (axe: aria-prohibited-attr).
 */
export function Loading({ h }: { h?: string }) {
  return (
    <Center p="xl" h={h}>
      <Loader role="status" aria-label="Loading" />
    </Center>
  );
}

/** What a query shows while it loads, and when it failed (with a retry). */
export function QueryState({ isPending, error, retry, children }: { isPending: boolean; error: unknown; retry?: () => void; children: React.ReactNode }) {
  if (isPending) return <Loading />;
  if (error) {
    return (
      <Alert color="red" title="Could not load" role="alert">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{error instanceof Error ? error.message : String(error)}</Text>
          {retry && (
            <Button size="xs" variant="light" color="red" onClick={retry}>
              Try again
            </Button>
          )}
        </Stack>
      </Alert>
    );
  }
  return <>{children}</>;
}
