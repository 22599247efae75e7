import { Card, Group, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { QueryState } from './errors';

/** A titled card of a detail page; with `state`, its loading and error show in place of its content. */
export function Section({ title, action, state, children }: { title: string; action?: ReactNode; state?: { isPending: boolean; error: unknown }; children: ReactNode }) {
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          {title}
        </Title>
        {action}
      </Group>
      {state ? (
        <QueryState isPending={state.isPending} error={state.error}>
          {children}
        </QueryState>
      ) : (
        children
      )}
    </Card>
  );
}
