import { Alert, Button, Group, List, Stack, Stepper, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError, get, post, put } from '../../api/client';
import type { Distribution } from '../../api/types';
import { QueryState, showSuccess } from '../../components/errors';
import { PURPOSES, triggerLabel } from './labels';
import { ChannelsStep } from './wizard/ChannelsStep';
import { ConditionsStep } from './wizard/ConditionsStep';
import { ConsentsStep } from './wizard/ConsentsStep';
import { fromDistribution, initialValues, stepOfField, toCreateBody, toEditBody, type WizardValues } from './wizard/form';
import { TriggerStep } from './wizard/TriggerStep';

const LAST_STEP = 3;

function Summary({ v }: { v: WizardValues }) {
  const manual = v.trigger.type === 'manual';
  return (
    <List spacing={4} size="sm" aria-label="Summary">
      <List.Item>
        <b>Trigger:</b> {triggerLabel(v.trigger.type)}
      </List.Item>
      <List.Item>
        <b>Name:</b> {v.name || '—'}
      </List.Item>
      <List.Item>
        <b>Purpose:</b> {PURPOSES[v.purpose.type]}
      </List.Item>
      {manual && (
        <List.Item>
          <b>Audience:</b> {v.audience.type === 'segment' ? `segment ${v.audience.segment_id || '—'}` : `customer ${v.audience.customer_id || '—'}`}
        </List.Item>
      )}
      <List.Item>
        <b>Consents:</b> {v.consents.verification ? (v.consents.required.length ? v.consents.required.join(', ') : 'verified, none required') : 'not verified'}
      </List.Item>
      <List.Item>
        <b>Channels:</b> {v.channels.map((c) => c.type).join(', ') || '—'}
      </List.Item>
      {manual && (
        <List.Item>
          <b>Grace period:</b> {v.grace_period_seconds === '' ? "the service's default" : `${v.grace_period_seconds} s`}
        </List.Item>
      )}
    </List>
  );
}

/** The seed's four steps — trigger, conditions, consents, channels & messages — then a summary. Also edits a manual one in its grace period. */
export function DistributionWizard() {
  const { id } = useParams();
  const editing = Boolean(id);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [active, setActive] = useState(0);
  // Kept here: the steps unmount as the marketer moves between them.
  const [previewCustomer, setPreviewCustomer] = useState('');
  const form = useForm<WizardValues>({ initialValues });
  const existing = useQuery({ queryKey: ['distribution', id], enabled: editing, queryFn: () => get<Distribution>(`/v1/distributions/${id}`) });
  useEffect(() => {
    if (existing.data) {
      form.setValues(fromDistribution(existing.data));
      setActive(1);
    }
    // Only when the loaded distribution changes; the form object is stable.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [existing.data?.id]);

  const save = useMutation({
    mutationFn: (v: WizardValues) => (editing ? put<Distribution>(`/v1/distributions/${id}`, toEditBody(v)) : post<Distribution>('/v1/distributions', toCreateBody(v))),
    onSuccess: (d) => {
      void queryClient.invalidateQueries({ queryKey: ['distributions'] });
      queryClient.setQueryData(['distribution', d.id], d);
      showSuccess(editing ? 'Changes saved' : d.trigger.type === 'manual' ? 'Saved: the grace period starts once the audience is ready' : 'Distribution activated');
      navigate(`/distributions/${d.id}`);
    },
    onError: (err) => {
      // Take the marketer to the first step holding a refused field.
      const steps = err instanceof ApiError ? err.fieldErrors.map((e) => stepOfField(e.field)).filter((s): s is number => s !== undefined) : [];
      if (steps.length) setActive(Math.min(...steps));
    },
  });
  const error = save.error;
  const unplaced = error instanceof ApiError ? error.fieldErrors.filter((e) => stepOfField(e.field) === undefined) : [];
  const manual = form.values.trigger.type === 'manual';
  const next = () => setActive((s) => Math.min(s + 1, LAST_STEP + 1));
  const back = () => setActive((s) => Math.max(s - 1, 0));
  const submitLabel = editing ? 'Save changes' : manual ? 'Save and send' : 'Activate';

  return (
    <Stack>
      <Title order={2}>{editing ? `Edit ${existing.data?.name ?? 'distribution'}` : 'New distribution'}</Title>
      <QueryState isPending={editing && existing.isPending} error={existing.error}>
        <Stepper active={active} onStepClick={setActive} allowNextStepsSelect={false}>
          <Stepper.Step label="Trigger" description="When it sends">
            <TriggerStep form={form} error={error} locked={editing} />
          </Stepper.Step>
          <Stepper.Step label="Conditions" description="Name, purpose, audience">
            <ConditionsStep form={form} error={error} editing={editing} />
          </Stepper.Step>
          <Stepper.Step label="Consents" description="Who may get it">
            <ConsentsStep form={form} error={error} />
          </Stepper.Step>
          <Stepper.Step label="Channels & messages" description="How it reaches them">
            <ChannelsStep form={form} error={error} previewCustomer={previewCustomer} onPreviewCustomer={setPreviewCustomer} />
          </Stepper.Step>
          <Stepper.Completed>
            <Stack>
              <Title order={3}>Summary</Title>
              <Summary v={form.values} />
              {manual && !editing && <Alert color="blue">After saving, the grace period starts once the audience is synced: you can edit, cancel or send it now until then.</Alert>}
              {error && (
                <Alert color="red" title="Not saved" role="alert">
                  {error.message}
                  {unplaced.map((e) => (
                    <Text key={e.field} size="sm">
                      <b>{e.field}</b>: {e.reason}
                    </Text>
                  ))}
                </Alert>
              )}
            </Stack>
          </Stepper.Completed>
        </Stepper>
        <Group justify="space-between" mt="md">
          <Button variant="default" onClick={back} disabled={active === 0 || (editing && active === 1)}>
            Back
          </Button>
          {active <= LAST_STEP ? (
            <Button onClick={next}>Next</Button>
          ) : (
            <Button onClick={() => save.mutate(form.values)} loading={save.isPending}>
              {submitLabel}
            </Button>
          )}
        </Group>
      </QueryState>
    </Stack>
  );
}
