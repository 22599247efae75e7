import fs from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { ensureTemporalCli } from '../tools/install';
import { startManagedProcess, type ManagedProcess } from './managed-process';

export interface TemporalDevServerOptions {
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
  address: string;
  uiUrl?: string;
  process: ManagedProcess;
}

/** Starts `temporal server start-dev`, the real Temporal server in one process with SQLite and the Web UI. */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const binary = ensureTemporalCli(options.toolsDir);
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
    args.push('--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  }
  if (options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  if (options.uiPort !== undefined && options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);

  const proc = await startManagedProcess({
    name: 'temporal',
    command: binary,
    args,
    runDir: options.runDir,
    port: options.port,
  });
  return {
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
