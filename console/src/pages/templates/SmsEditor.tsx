import { Badge, Group, Stack, Text, Textarea } from '@mantine/core';
import { useRef } from 'react';
import { countSms } from './sms-counter';
import { VariablePicker } from './VariablePicker';

/** A text template (SMS and every non-email channel), with the SMS character and part counter. */
export function SmsEditor({ channelType, value, onChange, error }: { channelType: string; value: string; onChange: (v: string) => void; error: string | undefined }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const count = countSms(value);
  const insert = (name: string) => {
    const el = ref.current;
    const at = el?.selectionStart ?? value.length;
    onChange(value.slice(0, at) + `{{ ${name} }}` + value.slice(el?.selectionEnd ?? at));
  };
  return (
    <Stack gap="xs">
      <Textarea ref={ref} label={`Message (${channelType})`} autosize minRows={5} maxRows={16} value={value} onChange={(e) => onChange(e.currentTarget.value)} error={error} />
      <Group justify="space-between">
        <VariablePicker onPick={insert} />
        <Group gap="xs" data-testid="sms-counter" aria-live="polite">
          <Badge variant="light">{count.encoding}</Badge>
          <Text size="sm">
            {count.characters} characters · {count.parts} {count.parts === 1 ? 'part' : 'parts'} · {count.remaining} left in this part
          </Text>
        </Group>
      </Group>
      <Text size="xs" c="dimmed">
        Counted as written: each {'{{ variable }}'} is replaced per customer, so the message sent may be longer.
      </Text>
    </Stack>
  );
}
