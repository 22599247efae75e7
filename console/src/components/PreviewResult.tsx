import { Alert, Code, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { CSSProperties } from 'react';
import type { Preview } from '../api/templates';

const FRAME: CSSProperties = { border: '1px solid var(--mantine-color-gray-3)', borderRadius: 4, background: 'white' };

/**
 * What POST /v1/templates/preview rendered: its error, the subject, the HTML in an iframe
 * sandboxed with no permissions (no script runs, no form submits, it cannot reach the console's
 * page), and the text — beside the HTML under its own heading when `textWithHtml`, else only
 * when there is no HTML.
 */
export function PreviewResult({ preview, frame, textWithHtml }: { preview: UseQueryResult<Preview>; frame: { title: string; style: CSSProperties; device?: string }; textWithHtml: boolean }) {
  const { data, error } = preview;
  const text = data?.text && (textWithHtml || !data.html);
  return (
    <>
      {error && (
        <Alert color="red" role="alert">
          {error.message}
        </Alert>
      )}
      {data?.subject && (
        <Text size="sm">
          Subject: <b data-testid="preview-subject">{data.subject}</b>
        </Text>
      )}
      {data?.html && <iframe title={frame.title} data-device={frame.device} sandbox="" srcDoc={data.html} style={{ ...FRAME, ...frame.style }} />}
      {text && (
        <>
          {data.html && (
            <Text size="sm" fw={600}>
              Plain-text part
            </Text>
          )}
          <Code block data-testid="preview-text">
            {data.text}
          </Code>
        </>
      )}
    </>
  );
}
