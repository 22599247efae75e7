import { html } from '@codemirror/lang-html';
import { xml } from '@codemirror/lang-xml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import type { Text as Doc } from '@codemirror/state';
import { Alert, List, Text } from '@mantine/core';
import CodeMirror, { type ReactCodeMirrorRef } from '@uiw/react-codemirror';
import { useEffect, useMemo, useRef } from 'react';
import type { FieldError } from '../../api/client';

function diagnostics(doc: Doc, problems: FieldError[]): Diagnostic[] {
  return problems.map((p) => {
    const line = doc.line(Math.min(Math.max(p.line ?? 1, 1), doc.lines));
    return { from: line.from, to: line.to, severity: 'error', message: p.reason };
  });
}

/**
 * Code mode: the MJML or HTML source. The server's validation errors (each with its line) are
 * marked in the gutter and underlined at their line, and listed below.
 */
export function CodeEditor({ language, value, onChange, problems }: { language: 'mjml' | 'html'; value: string; onChange: (v: string) => void; problems: FieldError[] }) {
  const ref = useRef<ReactCodeMirrorRef>(null);
  const extensions = useMemo(() => [language === 'mjml' ? xml() : html(), lintGutter()], [language]);
  useEffect(() => {
    const view = ref.current?.view;
    if (view) view.dispatch(setDiagnostics(view.state, diagnostics(view.state.doc, problems)));
  }, [problems]);
  return (
    <>
      <div aria-label={`${language.toUpperCase()} source`} role="group" style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 4 }}>
        <CodeMirror ref={ref} value={value} height="480px" extensions={extensions} onChange={onChange} basicSetup={{ foldGutter: false }} />
      </div>
      {problems.length > 0 && (
        <Alert color="red" title="The server refused this source" role="alert">
          <List size="sm">
            {problems.map((p, i) => (
              <List.Item key={i} data-testid="source-problem">
                <Text span size="sm" fw={600}>
                  {p.line ? `Line ${p.line}` : p.field}:
                </Text>{' '}
                {p.reason}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
    </>
  );
}
