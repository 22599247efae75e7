import { Badge } from '@mantine/core';
import { statusOf } from '../pages/distributions/labels';

export function StatusBadge({ status }: { status: string }) {
  const s = statusOf(status);
  return (
    // At its full width: a table squeezing its columns would otherwise cut the label to "COMP…".
    <Badge color={s.color} variant="light" data-status={status} miw="max-content">
      {s.label}
    </Badge>
  );
}
