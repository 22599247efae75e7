import { ActionIcon, Button, Group, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import type { ReactNode } from 'react';

export interface Pair {
  key: string;
  name: string;
  value: string;
}

let keys = 0;
export function pair(name = '', value = ''): Pair {
  keys += 1;
  return { key: `p${keys}`, name, value };
}

export function toRecord(pairs: Pair[]): Record<string, string> {
  return Object.fromEntries(pairs.filter((p) => p.name.trim() && p.value !== '').map((p) => [p.name.trim(), p.value]));
}

interface KeyValueRowsProps<P extends Pair> {
  label: string;
  pairs: P[];
  onChange: (p: P[]) => void;
  /** A new row for "Add". */
  make: () => P;
  secret?: boolean;
  hint?: string;
  /** More inputs of a row, after its value (e.g. the value's type). */
  extra?: (p: P, update: (patch: Partial<P>) => void, index: number) => ReactNode;
  /** Why a row's value is refused, shown under it. */
  errorOf?: (p: P) => string | undefined;
}

/** Name / value rows; secret ones are masked inputs the browser does not autofill. */
export function KeyValueRows<P extends Pair>({ label, pairs, onChange, make, secret, hint, extra, errorOf }: KeyValueRowsProps<P>) {
  const update = (key: string, patch: Partial<P>) => onChange(pairs.map((p) => (p.key === key ? { ...p, ...patch } : p)));
  const Value = secret ? PasswordInput : TextInput;
  return (
    <Stack gap="xs" role="group" aria-label={label}>
      <Text size="sm" fw={500}>
        {label}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
      {pairs.map((p, i) => (
        <Group key={p.key} align="flex-start" wrap="nowrap">
          <TextInput label={`${label}: name ${i + 1}`} value={p.name} onChange={(e) => update(p.key, { name: e.currentTarget.value } as Partial<P>)} w={200} />
          <Value label={`${label}: value ${i + 1}`} value={p.value} onChange={(e) => update(p.key, { value: e.currentTarget.value } as Partial<P>)} w={300} autoComplete="off" error={errorOf?.(p)} />
          {extra?.(p, (patch) => update(p.key, patch), i)}
          <ActionIcon variant="subtle" color="red" aria-label={`Remove ${label} ${i + 1}`} onClick={() => onChange(pairs.filter((x) => x.key !== p.key))} mt={28}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Button variant="light" size="xs" w="fit-content" leftSection={<IconPlus size={14} />} onClick={() => onChange([...pairs, make()])}>
        Add
      </Button>
    </Stack>
  );
}
