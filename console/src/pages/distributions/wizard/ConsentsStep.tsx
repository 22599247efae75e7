import { Alert, Stack, Switch } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { fieldError } from '../../../components/errors';
import { ConsentMultiSelect } from '../../../components/pickers';
import type { WizardValues } from './form';
import { StepErrors } from './StepErrors';

export function ConsentsStep({ form, error }: { form: UseFormReturnType<WizardValues>; error: unknown }) {
  const verification = form.values.consents.verification;
  return (
    <Stack>
      <StepErrors error={error} step={2} />
      <Switch label="Verify marketing consents" {...form.getInputProps('consents.verification', { type: 'checkbox' })} />
      {verification ? (
        <ConsentMultiSelect
          label="Consents a customer must have granted"
          description="None chosen: every customer of the audience qualifies"
          value={form.values.consents.required}
          onChange={(v) => form.setFieldValue('consents.required', v)}
          error={fieldError(error, 'consents.required') ?? fieldError(error, 'consents')}
        />
      ) : (
        <Alert color="gray">Consents are not checked for this distribution.</Alert>
      )}
      <Alert color="blue" variant="light">
        A customer who unsubscribed from a channel never gets a message on it, whatever this setting.
      </Alert>
    </Stack>
  );
}
