import { Alert, Anchor, Button, Card, Group, Modal, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconExternalLink } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { get, post } from '../../api/client';
import type { Distribution, Report, Segment } from '../../api/types';
import { QueryState, showError, showSuccess } from '../../components/errors';
import { SyncBadge } from '../../components/pickers';
import { StatusBadge } from '../../components/StatusBadge';
import { useSession } from '../../session';
import { Countdown } from './Countdown';
import { formatDate, PURPOSES, triggerLabel } from './labels';
import { MessagesList } from './MessagesList';
import { ReportView } from './ReportView';

const LIVE = new Set(['waiting_for_audience', 'scheduled', 'sending']);

function useAction(id: string, action: string, done: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => post<Distribution>(`/v1/distributions/${id}/${action}`),
    onSuccess: (d) => {
      queryClient.setQueryData(['distribution', id], d);
      void queryClient.invalidateQueries({ queryKey: ['distribution', id] });
      void queryClient.invalidateQueries({ queryKey: ['distributions'] });
      showSuccess(done);
    },
    onError: showError(`Could not ${action.replace('_', ' ')}`),
  });
}

function AudienceSync({ segmentId }: { segmentId: string }) {
  const { data } = useQuery({ queryKey: ['segment', segmentId], queryFn: () => get<Segment>(`/v1/segments/${segmentId}`), refetchInterval: 2000 });
  if (!data) return null;
  return (
    <Group gap="xs">
      <Text size="sm">
        Waiting for segment <b>{data.name}</b>:
      </Text>
      <SyncBadge segment={data} />
    </Group>
  );
}

const ENDED = new Set(['completed', 'cancelled', 'stopped', 'failed']);

/**
 * What is true of this one: a manual distribution starts and completes once; an automatic one
 * never "starts" (it sends per event while active), so it shows when it last changed and ended.
 */
function Dates({ d }: { d: Distribution }) {
  const ended = ENDED.has(d.status);
  const lines: Array<[string, string]> =
    d.trigger.type === 'manual'
      ? [
          ['Created', formatDate(d.created_at)],
          ['Started', d.started_at ? formatDate(d.started_at) : ended ? 'never' : 'not yet'],
          ['Completed', d.completed_at ? formatDate(d.completed_at) : 'not yet'],
        ]
      : [
          ['Created', formatDate(d.created_at)],
          ['Last changed', formatDate(d.updated_at)],
          ...(d.completed_at ? [['Ended', formatDate(d.completed_at)] as [string, string]] : []),
        ];
  return (
    <Stack gap={0} data-testid="dates">
      {lines.map(([label, value]) => (
        <Text size="sm" key={label}>
          {label}: {value}
        </Text>
      ))}
    </Stack>
  );
}

export function DistributionDetail() {
  const id = useParams().id!;
  const { session, canWrite } = useSession();
  const query = useQuery({
    queryKey: ['distribution', id],
    queryFn: () => get<Distribution>(`/v1/distributions/${id}`),
    refetchInterval: (q) => (q.state.data && LIVE.has(q.state.data.status) ? 1000 : 5000),
  });
  const d = query.data;
  const live = Boolean(d && LIVE.has(d.status));
  // Keyed by status too: the report is read again once the run ends, whatever the polling did.
  const report = useQuery({ queryKey: ['distribution', id, 'report', d?.status], queryFn: () => get<Report>(`/v1/distributions/${id}/report`), refetchInterval: live || d?.status === 'active' ? 1500 : false, enabled: Boolean(d) });
  const cancel = useAction(id, 'cancel', 'Distribution cancelled');
  const sendNow = useAction(id, 'send_now', 'Sending now');
  const pause = useAction(id, 'pause', 'Distribution paused');
  const resume = useAction(id, 'resume', 'Distribution resumed');
  const [confirming, { open: confirmCancel, close: closeCancel }] = useDisclosure(false);

  return (
    <QueryState isPending={query.isPending} error={query.error} retry={() => void query.refetch()}>
      {d && (
        <Stack>
          <Group justify="space-between" align="flex-start">
            <Stack gap={4}>
              <Title order={2}>{d.name}</Title>
              <Group gap="xs">
                <StatusBadge status={d.status} />
                {d.status_reason && (
                  <Text size="sm" c="dimmed" data-testid="status-reason">
                    {d.status_reason}
                  </Text>
                )}
              </Group>
            </Stack>
            {session?.temporal_ui && (
              <Anchor href={`${session.temporal_ui.url}/namespaces/${encodeURIComponent(session.temporal_ui.namespace)}/workflows/distribution-${encodeURIComponent(d.id)}`} target="_blank" rel="noreferrer">
                <Group gap={4}>
                  Workflow in the Temporal Web UI <IconExternalLink size={14} aria-hidden />
                </Group>
              </Anchor>
            )}
          </Group>

          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
            <Card withBorder>
              <Text size="xs" c="dimmed">Trigger</Text>
              <Text>{triggerLabel(d.trigger.type)}</Text>
            </Card>
            <Card withBorder>
              <Text size="xs" c="dimmed">Purpose</Text>
              <Text>{PURPOSES[d.purpose.type] ?? d.purpose.type}</Text>
            </Card>
            <Card withBorder>
              <Text size="xs" c="dimmed">Channels</Text>
              <Text>{d.channels.map((c) => c.type).join(', ')}</Text>
            </Card>
            <Card withBorder>
              <Text size="xs" c="dimmed">Dates</Text>
              <Dates d={d} />
            </Card>
          </SimpleGrid>

          {d.status === 'waiting_for_audience' && d.audience?.type === 'segment' && <AudienceSync segmentId={d.audience.segment_id} />}

          {(d.status === 'scheduled' || d.status === 'waiting_for_audience') && (
            <Card withBorder>
              <Stack>
                {d.status === 'scheduled' && (d.progress?.send_at ?? d.send_at) && <Countdown until={(d.progress?.send_at ?? d.send_at)!} />}
                <Text size="sm">Until it sends you can edit it, cancel it, or send it now.</Text>
                {canWrite && (
                  <Group>
                    <Button component={Link} to={`/distributions/${d.id}/edit`} variant="default">
                      Edit
                    </Button>
                    <Button color="red" variant="light" onClick={confirmCancel}>
                      Cancel
                    </Button>
                    <Button onClick={() => sendNow.mutate()} loading={sendNow.isPending}>
                      Send now
                    </Button>
                  </Group>
                )}
              </Stack>
            </Card>
          )}

          {d.status === 'sending' && (
            <Card withBorder>
              <Stack gap="xs">
                <Text>
                  Sending to {d.progress?.recipients ?? d.recipients_count ?? '…'} recipients: batch {d.progress?.batches_done ?? 0} of {d.progress?.batches_total ?? '…'}
                </Text>
                <Progress.Root>
                  <Progress.Section value={d.progress?.batches_total ? (100 * d.progress.batches_done) / d.progress.batches_total : 0} aria-label="Sending progress" animated />
                </Progress.Root>
                {canWrite && (
                  <Button color="red" variant="light" w="fit-content" onClick={confirmCancel}>
                    Stop sending
                  </Button>
                )}
              </Stack>
            </Card>
          )}

          {(d.status === 'active' || d.status === 'paused') && canWrite && (
            <Group>
              {d.status === 'active' ? (
                <Button variant="default" onClick={() => pause.mutate()} loading={pause.isPending}>
                  Pause
                </Button>
              ) : (
                <Button onClick={() => resume.mutate()} loading={resume.isPending}>
                  Resume
                </Button>
              )}
              <Button color="red" variant="light" onClick={confirmCancel}>
                Cancel
              </Button>
            </Group>
          )}

          {/* Before any message there is nothing to chart: the messages list below says so. */}
          {report.data && Object.values(report.data.totals).some((n) => n > 0) && <ReportView report={report.data} />}
          {report.error && <Alert color="red">{report.error.message}</Alert>}
          <MessagesList distribution={d} live={live || d.status === 'active'} />

          <Modal opened={confirming} onClose={closeCancel} title="Cancel this distribution?">
            <Stack>
              <Text size="sm">Nothing more will be sent. This cannot be undone.</Text>
              <Group justify="flex-end">
                <Button variant="default" onClick={closeCancel}>
                  Keep it
                </Button>
                <Button
                  color="red"
                  loading={cancel.isPending}
                  onClick={() => {
                    cancel.mutate(undefined, { onSettled: closeCancel });
                  }}
                >
                  Cancel distribution
                </Button>
              </Group>
            </Stack>
          </Modal>
        </Stack>
      )}
    </QueryState>
  );
}
