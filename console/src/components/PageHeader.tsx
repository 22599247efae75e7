import { Button, Group, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useSession } from '../session';

/** A screen's title, with its main action for keys that may change data. */
export function PageHeader({ title, action }: { title: string; action?: { to: string; label: string; icon: ReactNode } }) {
  const { canWrite } = useSession();
  return (
    <Group justify="space-between">
      <Title order={2}>{title}</Title>
      {action && canWrite && (
        <Button component={Link} to={action.to} leftSection={action.icon}>
          {action.label}
        </Button>
      )}
    </Group>
  );
}
