import { ActionIcon, Button, PasswordInput, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
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
  /** The visible title above the rows; off where the screen already titles them. */
  showLabel?: boolean;
  addLabel?: string;
  secret?: boolean;
  hint?: string;
  /** One more column after the value (e.g. the value's type). */
  extra?: { header: string; width: number; cell: (p: P, update: (patch: Partial<P>) => void, index: number) => ReactNode };
  /** Why a row's value is refused, shown under it. */
  errorOf?: (p: P) => string | undefined;
}

/**
 * Name / value rows under one header row (each input keeps its own accessible name); secret
 * ones are masked inputs the browser does not autofill.
 */
export function KeyValueRows<P extends Pair>({ label, pairs, onChange, make, showLabel = true, addLabel = 'Add', secret, hint, extra, errorOf }: KeyValueRowsProps<P>) {
  const update = (key: string, patch: Partial<P>) => onChange(pairs.map((p) => (p.key === key ? { ...p, ...patch } : p)));
  const Value = secret ? PasswordInput : TextInput;
  return (
    <Stack gap="xs" role="group" aria-label={label}>
      {showLabel && (
        <Text size="sm" fw={500}>
          {label}
        </Text>
      )}
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
      {pairs.length > 0 && (
        <Table withRowBorders={false} horizontalSpacing={4} verticalSpacing={4} layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="35%">Name</Table.Th>
              <Table.Th>Value</Table.Th>
              {extra && <Table.Th w={extra.width}>{extra.header}</Table.Th>}
              <Table.Th w={36}>
                <VisuallyHidden>Remove</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {pairs.map((p, i) => (
              <Table.Tr key={p.key} style={{ verticalAlign: 'top' }}>
                <Table.Td>
                  <TextInput aria-label={`${label}: name ${i + 1}`} value={p.name} onChange={(e) => update(p.key, { name: e.currentTarget.value } as Partial<P>)} />
                </Table.Td>
                <Table.Td>
                  <Value aria-label={`${label}: value ${i + 1}`} value={p.value} onChange={(e) => update(p.key, { value: e.currentTarget.value } as Partial<P>)} autoComplete="off" error={errorOf?.(p)} />
                </Table.Td>
                {extra && <Table.Td>{extra.cell(p, (patch) => update(p.key, patch), i)}</Table.Td>}
                <Table.Td>
                  <ActionIcon variant="subtle" color="red" aria-label={`Remove ${label} ${i + 1}`} onClick={() => onChange(pairs.filter((x) => x.key !== p.key))} mt={6}>
                    <IconTrash size={16} />
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Button variant="light" size="xs" w="fit-content" leftSection={<IconPlus size={14} />} onClick={() => onChange([...pairs, make()])}>
        {addLabel}
      </Button>
    </Stack>
  );
}
