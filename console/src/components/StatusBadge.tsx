import { Badge } from '@mantine/core';
import { statusOf } from '../pages/distributions/labels';

export function StatusBadge({ status }: { status: string }) {
  const s = statusOf(status);
  return (
    <Badge color={s.color} variant="light" data-status={status}>
      {s.label}
    </Badge>
  );
}
