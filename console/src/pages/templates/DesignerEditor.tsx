import 'font-awesome/css/font-awesome.min.css';
import 'grapesjs/dist/css/grapes.min.css';
import grapesjs, { type Editor } from 'grapesjs';
import grapesjsMjml from 'grapesjs-mjml';
import { useEffect, useRef } from 'react';

/**
 * Designer mode: GrapesJS with its MJML plugin, bundled with the console (no CDN: the console's
 * CSP allows scripts from its own origin only). It starts from the template's MJML and reports
 * the MJML after every change; the server validates it strictly when the template is saved.
 */
export function DesignerEditor({ mjml, onChange }: { mjml: string; onChange: (mjml: string) => void }) {
  const container = useRef<HTMLDivElement>(null);
  const editor = useRef<Editor | null>(null);
  const latest = useRef(onChange);
  latest.current = onChange;
  // The editor owns its document once started: the MJML given later is its own output coming back.
  const initial = useRef(mjml);
  useEffect(() => {
    if (!container.current) return;
    const e = grapesjs.init({
      container: container.current,
      height: '640px',
      fromElement: false,
      storageManager: false,
      // GrapesJS would fetch its icon font from a CDN and post telemetry: the icons are bundled above, and nothing leaves.
      cssIcons: '',
      telemetry: false,
      components: initial.current,
      plugins: [grapesjsMjml],
      pluginsOpts: { [grapesjsMjml as unknown as string]: { imagePlaceholderSrc: 'https://placehold.co/350x250/png', useXmlParser: true } },
    });
    editor.current = e;
    e.on('update', () => latest.current(e.getHtml()));
    return () => {
      e.destroy();
      editor.current = null;
    };
  }, []);
  return <div ref={container} aria-label="Email designer" role="application" data-testid="designer" />;
}
