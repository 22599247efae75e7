import fs from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../workflows/contracts/search-attributes';
import { ensureTemporalCli, MissingToolError } from '../tools/install';
import { downloadTemporalCli } from '../tools/temporal-download';
import { which } from '../tools/which';
import { startManagedProcess, type ManagedProcess } from './managed-process';
import { candidateKinds, chooseFirst, type Choice } from './server-choice';

/** In the order they are preferred: a CLI already here, the SDK's download, and building it from source last. */
export const TEMPORAL_SERVER_ORDER = ['temporal', 'temporal-download', 'temporal-build'] as const;
export type TemporalServerKind = (typeof TEMPORAL_SERVER_ORDER)[number];

/** Finds, fetches or builds the Temporal CLI (or the forced way); what `npm install` runs too. */
export function chooseTemporalCli(
  kind: 'auto' | TemporalServerKind,
  toolsDir: string,
): Promise<Choice<TemporalServerKind, string>> {
  const obtain: Record<TemporalServerKind, () => string | Promise<string>> = {
    temporal: () => {
      const onPath = which('temporal');
      if (!onPath) throw new MissingToolError('none on PATH.');
      return onPath;
    },
    'temporal-download': () => downloadTemporalCli(toolsDir),
    'temporal-build': () => ensureTemporalCli(toolsDir),
  };
  return chooseFirst(
    candidateKinds(TEMPORAL_SERVER_ORDER, kind).map((k) => ({ kind: k, obtain: obtain[k] })),
    'Temporal server (set TEMPORAL_ADDRESS to a running Temporal frontend, host:port)',
  );
}

export interface TemporalDevServerOptions {
  /** `auto`: the first of TEMPORAL_SERVER_ORDER that is here or can be fetched or built. */
  kind?: 'auto' | TemporalServerKind;
  toolsDir: string;
  port: number;
  /** Web UI port; `undefined` runs headless (tests). */
  uiPort?: number;
  /** The remote codec the Web UI decodes payloads with (the API's `/codec`). */
  uiCodecEndpoint?: string;
  /** SQLite file for persistence; `undefined` keeps history in memory (tests). */
  dbFile?: string;
  namespace: string;
  runDir: string;
}

export interface TemporalDevServer {
  kind: TemporalServerKind;
  /** Why the kinds before it were not used, for the start-up log. */
  skipped: Choice<TemporalServerKind, string>['skipped'];
  address: string;
  uiUrl?: string;
  process: ManagedProcess;
}

/** Starts `temporal server start-dev`, the real Temporal server in one process with SQLite and the Web UI. */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const choice = await chooseTemporalCli(options.kind ?? 'auto', options.toolsDir);
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    // The server's own defaults only enable updates in recent versions; edits of pending sends use them.
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    // A loaded 2-core machine runs the server, database and worker together; 10 s task timeouts trip there.
    '--dynamic-config-value',
    'history.defaultWorkflowTaskTimeout="30s"',
    ...SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${searchAttributeType(key.type)}`]),
  ];
  if (options.dbFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true, mode: 0o700 });
    args.push(
      '--db-filename',
      options.dbFile,
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
    );
  }
  if (options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  if (options.uiPort !== undefined && options.uiCodecEndpoint)
    args.push('--ui-codec-endpoint', options.uiCodecEndpoint);

  const proc = await startManagedProcess({
    name: 'temporal',
    command: choice.value,
    args,
    runDir: options.runDir,
    port: options.port,
  });
  return {
    kind: choice.kind,
    skipped: choice.skipped,
    address: `127.0.0.1:${options.port}`,
    uiUrl: options.uiPort === undefined ? undefined : `http://127.0.0.1:${options.uiPort}`,
    process: proc,
  };
}

function searchAttributeType(type: string): string {
  // The CLI matches type names case-insensitively but spells KEYWORD_LIST without the underscore.
  return type.replace('_', '');
}

export function defaultTemporalDbFile(dataDir: string): string {
  return path.join(dataDir, 'temporal', 'temporal.db');
}
