import { Button, Menu, ScrollArea, Text, TextInput } from '@mantine/core';
import { IconBraces } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get, type List } from '../../api/client';
import type { TemplateVariable } from '../../api/templates';

export function useTemplateVariables() {
  return useQuery({ queryKey: ['template-variables'], queryFn: () => get<List<TemplateVariable>>('/v1/templates/variables').then((l) => l.data), staleTime: 5 * 60_000, retry: false });
}

function availability(v: TemplateVariable): string {
  const when = [...v.purposes, ...v.triggers];
  return when.length ? `Filled for: ${when.join(', ')}` : 'Always available';
}

/** The variables GET /v1/templates/variables lists, with what each means; picking one inserts `{{ name }}` where the cursor is. */
export function VariablePicker({ onPick }: { onPick: (name: string) => void }) {
  const variables = useTemplateVariables();
  const [filter, setFilter] = useState('');
  const shown = (variables.data ?? []).filter((v) => v.name.includes(filter.trim()) || v.description.toLowerCase().includes(filter.trim().toLowerCase()));
  return (
    <Menu position="bottom-start" withinPortal closeOnItemClick>
      <Menu.Target>
        <Button variant="light" size="xs" leftSection={<IconBraces size={14} />}>
          Insert variable
        </Button>
      </Menu.Target>
      <Menu.Dropdown w={360}>
        {variables.error ? (
          <Text size="sm" c="red" p="xs" role="alert">
            Variables could not be loaded: {variables.error.message}
          </Text>
        ) : (
          <>
            <TextInput size="xs" m={4} placeholder="Filter" aria-label="Filter variables" value={filter} onChange={(e) => setFilter(e.currentTarget.value)} />
            <ScrollArea.Autosize mah={320}>
              {shown.map((v) => (
                <Menu.Item key={v.name} onClick={() => onPick(v.name)} aria-label={v.name}>
                  <Text size="sm" ff="monospace">
                    {v.name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {v.description}
                    {v.example ? ` — e.g. ${v.example}` : ''}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {availability(v)}
                  </Text>
                </Menu.Item>
              ))}
            </ScrollArea.Autosize>
          </>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
