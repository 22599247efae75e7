import { Radio, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { fieldError } from '../../../components/errors';
import { TRIGGERS } from '../labels';
import type { WizardValues } from './form';
import { StepErrors } from './StepErrors';

const GROUPS = [...new Set(TRIGGERS.map((t) => t.group))];

export function TriggerStep({ form, error, locked }: { form: UseFormReturnType<WizardValues>; error: unknown; locked: boolean }) {
  return (
    <Stack>
      <StepErrors error={error} step={0} />
      {locked && <Text c="dimmed">The trigger of a saved distribution cannot change.</Text>}
      <Radio.Group label="What starts the distribution?" {...form.getInputProps('trigger.type')} error={fieldError(error, 'trigger.type') ?? fieldError(error, 'trigger')}>
        <Stack mt="sm">
          {GROUPS.map((group) => (
            <div key={group}>
              <Title order={4} size="h6" mb={4}>
                {group}
              </Title>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
                {TRIGGERS.filter((t) => t.group === group).map((t) => (
                  <Radio key={t.value} value={t.value} label={t.label} disabled={locked} />
                ))}
              </SimpleGrid>
            </div>
          ))}
        </Stack>
      </Radio.Group>
    </Stack>
  );
}
