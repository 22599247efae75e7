import { Checkbox, Fieldset, NumberInput, Radio, Group, Stack, Text, TextInput } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { fieldError } from '../../../components/errors';
import { CampaignSelect, CustomerPicker, SegmentSelect, TierSelect } from '../../../components/pickers';
import { triggerScope, type WizardValues } from './form';
import { StepErrors } from './StepErrors';

type PickerPath = 'purpose.campaign_id' | 'purpose.promotion_tier_id' | 'audience.segment_id' | 'audience.customer_id' | 'trigger.segment_id' | 'trigger.campaign_id';

/** Step 2, the seed's "Distribution conditions": name, purpose, audience. */
export function ConditionsStep({ form, error, editing }: { form: UseFormReturnType<WizardValues>; error: unknown; editing: boolean }) {
  const v = form.values;
  const manual = v.trigger.type === 'manual';
  const scope = triggerScope(v.trigger.type);
  const pick = (path: PickerPath) => ({ value: form.getInputProps(path).value as string, onChange: (value: string) => form.setFieldValue(path, value) });
  return (
    <Stack>
      <StepErrors error={error} step={1} />
      <TextInput label="Name" required {...form.getInputProps('name')} error={fieldError(error, 'name')} />
      <Fieldset legend="Purpose">
        <Stack>
          <Radio.Group {...form.getInputProps('purpose.type')} error={fieldError(error, 'purpose.type') ?? fieldError(error, 'purpose')} aria-label="Purpose">
            <Stack gap="xs">
              <Radio value="promotion" label="Notify customers about a promotion (a promotion tier)" disabled={editing} />
              <Radio value="unique_code" label="Send and publish unique codes from a campaign" disabled={editing} />
              <Radio value="plain" label="Send a plain message (no code)" disabled={editing} />
            </Stack>
          </Radio.Group>
          {v.purpose.type === 'unique_code' && (
            <CampaignSelect label="Campaign" uniqueCodesOnly disabled={editing} {...pick('purpose.campaign_id')} error={fieldError(error, 'purpose.campaign_id')} />
          )}
          {v.purpose.type === 'promotion' && <TierSelect label="Promotion tier" disabled={editing} {...pick('purpose.promotion_tier_id')} error={fieldError(error, 'purpose.promotion_tier_id')} />}
        </Stack>
      </Fieldset>
      <Fieldset legend="Audience">
        {manual && (
          <Stack>
            <Radio.Group {...form.getInputProps('audience.type')} aria-label="Audience" error={fieldError(error, 'audience.type')}>
              <Group>
                <Radio value="segment" label="A customer segment" />
                <Radio value="customer" label="A single customer" />
              </Group>
            </Radio.Group>
            {v.audience.type === 'segment' ? (
              <SegmentSelect label="Segment" description="The countdown starts once the segment is synced." {...pick('audience.segment_id')} error={fieldError(error, 'audience.segment_id') ?? fieldError(error, 'audience')} />
            ) : (
              <CustomerPicker label="Customer" description="Search by id, source id, email or name" {...pick('audience.customer_id')} error={fieldError(error, 'audience.customer_id') ?? fieldError(error, 'audience')} />
            )}
            {!editing && (
              <NumberInput
                label="Grace period (seconds)"
                description="Time to edit or cancel before sending; empty: the service's default (10 minutes)"
                min={0}
                max={604800}
                allowDecimal={false}
                {...form.getInputProps('grace_period_seconds')}
                error={fieldError(error, 'grace_period_seconds')}
              />
            )}
          </Stack>
        )}
        {scope === 'segment' && (
          <Stack>
            {v.purpose.type === 'unique_code' && (
              <Checkbox
                label="Follow the segment the campaign's validation rules restrict it to"
                disabled={editing}
                {...form.getInputProps('trigger.follow_campaign_segment', { type: 'checkbox' })}
                error={fieldError(error, 'trigger.follow_campaign_segment')}
              />
            )}
            {!v.trigger.follow_campaign_segment && (
              <SegmentSelect label="Segment whose entries or exits fire it" disabled={editing} {...pick('trigger.segment_id')} error={fieldError(error, 'trigger.segment_id') ?? fieldError(error, 'trigger')} />
            )}
          </Stack>
        )}
        {scope === 'campaign' && (
          <Stack>
            <Text size="sm">The customer whose code fires the trigger gets the message.</Text>
            <CampaignSelect label="Codes of campaign" description="Only codes of this campaign fire it" disabled={editing} {...pick('trigger.campaign_id')} error={fieldError(error, 'trigger.campaign_id') ?? fieldError(error, 'trigger')} />
          </Stack>
        )}
        {scope === 'order' && <Text size="sm">Every customer whose order changes as the trigger says gets the message.</Text>}
      </Fieldset>
    </Stack>
  );
}
