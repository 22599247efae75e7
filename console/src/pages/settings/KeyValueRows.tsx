import { ActionIcon, Button, Group, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';

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

/** Name / value rows; secret ones are masked inputs the browser does not autofill. */
export function KeyValueRows({ label, pairs, onChange, secret, hint }: { label: string; pairs: Pair[]; onChange: (p: Pair[]) => void; secret?: boolean; hint?: string }) {
  const update = (key: string, patch: Partial<Pair>) => onChange(pairs.map((p) => (p.key === key ? { ...p, ...patch } : p)));
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
        <Group key={p.key} align="flex-end" wrap="nowrap">
          <TextInput label={`${label}: name ${i + 1}`} value={p.name} onChange={(e) => update(p.key, { name: e.currentTarget.value })} w={200} />
          <Value label={`${label}: value ${i + 1}`} value={p.value} onChange={(e) => update(p.key, { value: e.currentTarget.value })} w={300} autoComplete="off" />
          <ActionIcon variant="subtle" color="red" aria-label={`Remove ${label} ${i + 1}`} onClick={() => onChange(pairs.filter((x) => x.key !== p.key))} mb={4}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Button variant="light" size="xs" w="fit-content" leftSection={<IconPlus size={14} />} onClick={() => onChange([...pairs, pair()])}>
        Add
      </Button>
    </Stack>
  );
}
