import { Button, Group } from '@mantine/core';
import { useNavigate } from 'react-router';
import { SaveErrorAlert } from './FieldErrorsAlert';

/** A form's end: why the save failed, if it did, then save and the way back. */
export function FormActions({ error, save, saving, label, back }: { error: Error | null; save: () => void; saving: boolean; label: string; back: { to: string; label: string } }) {
  const navigate = useNavigate();
  return (
    <>
      <SaveErrorAlert error={error} />
      <Group>
        <Button onClick={save} loading={saving}>
          {label}
        </Button>
        <Button variant="default" onClick={() => navigate(back.to)}>
          {back.label}
        </Button>
      </Group>
    </>
  );
}
