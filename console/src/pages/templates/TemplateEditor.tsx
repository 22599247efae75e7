import { Alert, Button, Card, Grid, Group, SegmentedControl, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Suspense, lazy, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError, get, post, put } from '../../api/client';
import type { EmailStyle, Template, TemplateBody } from '../../api/templates';
import { SaveErrorAlert } from '../../components/FieldErrorsAlert';
import { QueryState, fieldError, showError, showSuccess } from '../../components/errors';
import { isEmail } from '../distributions/wizard/form';
import { item, starterBlocks, type Item } from './blocks-model';
import { BlocksEditor, StylePanel } from './BlocksEditor';
import { CodeEditor } from './CodeEditor';
import { SendTestDialog } from './SendTestDialog';
import { SmsEditor } from './SmsEditor';
import { TemplatePreview } from './TemplatePreview';
import { VariablePicker } from './VariablePicker';

// GrapesJS and the MJML compiler it runs are most of the editor's weight: loaded when Designer mode opens.
const DesignerEditor = lazy(() => import('./DesignerEditor').then((m) => ({ default: m.DesignerEditor })));

type Mode = 'simple' | 'designer' | 'code';
const CHANNEL_TYPES = ['email', 'sendgrid', 'mandrill', 'mailgun', 'sms', 'twilio', 'cm_telecom', 'textlocal', 'webhook'];

interface State {
  name: string;
  channel_type: string;
  subject: string;
  mode: Mode;
  items: Item[];
  style: EmailStyle;
  mjml: string;
  html: string;
  /** Code mode edits MJML, or HTML when the template was written as HTML. */
  language: 'mjml' | 'html';
  text: string;
}

function fromTemplate(t: Template | undefined): State {
  const base = { name: t?.name ?? '', channel_type: t?.channel_type ?? 'email', subject: t?.subject ?? 'Your code, {{ customer.name | default: "friend" }}', style: t?.style ?? {}, mjml: t?.mjml ?? '', html: t?.html ?? '', text: t?.text ?? '' };
  if (t?.mjml !== undefined) return { ...base, mode: 'designer', items: starterBlocks().map(item), language: 'mjml' };
  if (t?.html !== undefined) return { ...base, mode: 'code', items: starterBlocks().map(item), language: 'html' };
  return { ...base, mode: 'simple', items: (t?.blocks ?? starterBlocks()).map(item), language: 'mjml' };
}

/** What is saved is the body the shown mode edits: blocks (Simple), MJML (Designer, Code) or HTML (Code). */
function toBody(s: State): TemplateBody {
  const head = { name: s.name, channel_type: s.channel_type };
  if (!isEmail(s.channel_type)) return { ...head, text: s.text };
  const subject = s.subject;
  if (s.mode === 'simple') return { ...head, subject, blocks: s.items.map((i) => i.block), ...(Object.keys(s.style).length ? { style: s.style } : {}) };
  if (s.mode === 'code' && s.language === 'html') return { ...head, subject, html: s.html, ...(s.text ? { text: s.text } : {}) };
  return { ...head, subject, mjml: s.mjml };
}

function Editor({ template }: { template: Template | undefined }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [s, setS] = useState<State>(() => fromTemplate(template));
  const set = (patch: Partial<State>) => setS((prev) => ({ ...prev, ...patch }));
  const subjectRef = useRef<HTMLInputElement>(null);
  const email = isEmail(s.channel_type);
  const body = toBody(s);

  const convert = useMutation({
    mutationFn: () => post<{ mjml: string }>('/v1/templates/mjml', { blocks: s.items.map((i) => i.block), ...(Object.keys(s.style).length ? { style: s.style } : {}) }),
    onError: showError('These blocks do not convert to MJML yet'),
  });
  const switchMode = async (mode: Mode) => {
    // Simple → Designer/Code: the blocks become the MJML the server compiles them to.
    if (s.mode === 'simple' && mode !== 'simple') {
      const { mjml } = await convert.mutateAsync();
      set({ mode, mjml, language: 'mjml' });
      return;
    }
    set({ mode });
  };

  const save = useMutation({
    mutationFn: () => (template ? put<Template>(`/v1/templates/${template.id}`, body) : post<Template>('/v1/templates', body)),
    onSuccess: (saved) => {
      showSuccess('Template saved');
      void queryClient.invalidateQueries({ queryKey: ['templates'] });
      queryClient.setQueryData(['template', saved.id], saved);
      if (!template) navigate(`/templates/${saved.id}`, { replace: true });
    },
  });
  const sourceField = s.language === 'html' ? 'html' : 'mjml';
  const sourceProblems = save.error instanceof ApiError ? save.error.fieldErrors.filter((e) => e.field === sourceField) : [];
  const insertInSubject = (name: string) => {
    const el = subjectRef.current;
    const at = el?.selectionStart ?? s.subject.length;
    set({ subject: s.subject.slice(0, at) + `{{ ${name} }}` + s.subject.slice(el?.selectionEnd ?? at) });
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{template ? `Template: ${template.name}` : 'New template'}</Title>
        <Group>
          <SendTestDialog templateId={template?.id} channelType={s.channel_type} email={email} />
          <Button leftSection={<IconDeviceFloppy size={16} />} onClick={() => save.mutate()} loading={save.isPending}>
            Save template
          </Button>
        </Group>
      </Group>
      <Group align="flex-end">
        <TextInput label="Template name" value={s.name} onChange={(e) => set({ name: e.currentTarget.value })} error={fieldError(save.error, 'name')} w={300} />
        <Select label="Channel type" data={CHANNEL_TYPES} value={s.channel_type} onChange={(v) => v && set({ channel_type: v })} disabled={Boolean(template)} allowDeselect={false} w={180} />
        {email && (
          <SegmentedControl
            aria-label="Editor mode"
            data={[
              { value: 'simple', label: 'Simple' },
              { value: 'designer', label: 'Designer' },
              { value: 'code', label: 'Code' },
            ]}
            value={s.mode}
            onChange={(v) => void switchMode(v as Mode).catch(() => undefined)}
          />
        )}
      </Group>
      {email && (
        <Group align="flex-end">
          <TextInput ref={subjectRef} label="Subject" value={s.subject} onChange={(e) => set({ subject: e.currentTarget.value })} error={fieldError(save.error, 'subject')} style={{ flex: 1 }} />
          <VariablePicker onPick={insertInSubject} />
        </Group>
      )}
      {/* In Code mode the source's own errors are listed under the editor, at their lines: not twice. */}
      <SaveErrorAlert error={save.error} only={(e) => !(email && s.mode === 'code' && e.field === sourceField)} />
      <Grid>
        <Grid.Col span={{ base: 12, lg: s.mode === 'designer' && email ? 12 : 7 }}>
          {!email && <SmsEditor channelType={s.channel_type} value={s.text} onChange={(text) => set({ text })} error={fieldError(save.error, 'text')} />}
          {email && s.mode === 'simple' && (
            <Stack>
              {template && template.blocks === undefined && (
                <Alert color="yellow">This template was saved as {template.mjml !== undefined ? 'MJML' : 'HTML'}: saving in Simple mode replaces it with these blocks.</Alert>
              )}
              <StylePanel style={s.style} onChange={(style) => set({ style })} />
              <BlocksEditor items={s.items} onChange={(items) => set({ items })} />
            </Stack>
          )}
          {email && s.mode === 'designer' && (
            <Suspense fallback={<Text c="dimmed">Loading the designer…</Text>}>
              <DesignerEditor key={convert.data?.mjml ?? 'saved'} mjml={s.mjml} onChange={(mjml) => set({ mjml })} />
            </Suspense>
          )}
          {email && s.mode === 'code' && (
            <Stack>
              <SegmentedControl
                aria-label="Source language"
                w="fit-content"
                data={[
                  { value: 'mjml', label: 'MJML' },
                  { value: 'html', label: 'HTML' },
                ]}
                value={s.language}
                onChange={(v) => set({ language: v as 'mjml' | 'html' })}
              />
              <CodeEditor language={s.language} value={s.language === 'mjml' ? s.mjml : s.html} onChange={(v) => set(s.language === 'mjml' ? { mjml: v } : { html: v })} problems={sourceProblems} />
              {s.language === 'html' && <Textarea label="Plain-text part (optional; made from the HTML when empty)" autosize minRows={3} value={s.text} onChange={(e) => set({ text: e.currentTarget.value })} />}
            </Stack>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: s.mode === 'designer' && email ? 12 : 5 }}>
          <Card withBorder>
            <TemplatePreview body={body} />
          </Card>
        </Grid.Col>
      </Grid>
      {email && s.mode === 'designer' && (
        <Text size="xs" c="dimmed">
          The designer's MJML is checked by the server when you save; its errors are listed above.
        </Text>
      )}
    </Stack>
  );
}

/** /templates/new and /templates/:id: the message editor. */
export function TemplateEditor() {
  const { id } = useParams();
  const template = useQuery({ queryKey: ['template', id], queryFn: () => get<Template>(`/v1/templates/${id}`), enabled: Boolean(id) });
  if (!id) return <Editor template={undefined} />;
  return (
    <QueryState isPending={template.isPending} error={template.error} retry={() => void template.refetch()}>
      {template.data && <Editor key={template.data.id} template={template.data} />}
    </QueryState>
  );
}
