import path from 'node:path';

/** Pinned versions: later temporalio/cli tags carry a `replace` directive that `go install` refuses. */
export const TEMPORAL_CLI_VERSION = '1.5.1';
export const FERRETDB_VERSION = '1.24.2';
export const MONGO_JAVA_SERVER_VERSION = '1.47.0';

/** Where each tool lands under the tools folder; version-keyed so an upgrade never reuses a stale build. */
export function toolPaths(toolsDirInput: string) {
  const toolsDir = path.resolve(toolsDirInput);
  const mjsDir = path.join(toolsDir, `mongo-java-server-${MONGO_JAVA_SERVER_VERSION}`);
  return {
    temporal: path.join(toolsDir, `temporal-${TEMPORAL_CLI_VERSION}`, 'temporal'),
    ferretdb: path.join(toolsDir, `ferretdb-${FERRETDB_VERSION}`, 'ferretdb-embedded'),
    mongoJavaServer: {
      dir: mjsDir,
      lib: path.join(mjsDir, 'lib'),
    },
  };
}
