import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../config';
import { TEMPORAL_CLI_VERSION, toolPaths } from './versions';
import { which } from './which';

/**
 * Builds the local Temporal dev server and embedded MongoDB-wire server into the
 * tools folder, once. Each step is skipped when its result is already there, so
 * `npm install`, `npm start` and `.ci/run` can all call it.
 */

export type EmbeddedMongoKind = 'mongo-java-server' | 'ferretdb';

export class MissingToolError extends Error {}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  const result = spawnSync(command, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    ...options,
    env: { ...process.env, ...options.env },
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed with ${result.error?.message ?? `exit code ${result.status}`}`,
    );
  }
}

function log(message: string): void {
  process.stderr.write(`[tools] ${message}\n`);
}

/** Installs into a temp name then renames, so a killed build never leaves a half-written binary that looks done. */
function installAtomically(target: string, build: (tmpTarget: string) => void): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.partial-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    build(tmp);
    fs.renameSync(tmp, target);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export function ensureTemporalCli(toolsDir: string): string {
  const target = toolPaths(toolsDir).temporal;
  if (fs.existsSync(target)) return target;
  if (!which('go')) {
    throw new MissingToolError(
      'No Temporal server: set TEMPORAL_ADDRESS to a running Temporal frontend (host:port), ' +
        `or install Go >= 1.25 so the Temporal CLI v${TEMPORAL_CLI_VERSION} can be built (go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}).`,
    );
  }
  log(`building the Temporal CLI v${TEMPORAL_CLI_VERSION} with go install (first time only, a few minutes)`);
  installAtomically(target, (tmp) => {
    const gobin = `${tmp}.gobin`;
    try {
      run(
        'go',
        [
          'install',
          '-ldflags',
          `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
          `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`,
        ],
        { env: { GOBIN: gobin, CGO_ENABLED: '0' } },
      );
      fs.renameSync(path.join(gobin, 'temporal'), tmp);
    } finally {
      fs.rmSync(gobin, { recursive: true, force: true });
    }
  });
  return target;
}

export function ensureFerretDb(toolsDir: string): string {
  const target = toolPaths(toolsDir).ferretdb;
  if (fs.existsSync(target)) return target;
  if (!which('go')) {
    throw new MissingToolError('FerretDB is built from source and needs Go >= 1.24 on PATH.');
  }
  log('building the embedded FerretDB server (first time only, a few minutes)');
  installAtomically(target, (tmp) =>
    run('go', ['build', '-o', tmp, '.'], { cwd: path.join(ROOT_DIR, 'tools-src', 'ferretdb') }),
  );
  return target;
}

/**
 * The launcher's classes live in a folder named for a hash of its sources, so an edited
 * launcher is compiled again on the next start while servers already running keep loading
 * classes from the folder they started with (the JVM loads inner classes lazily).
 */
function launcherSources(source: string): { files: string[]; hash: string } {
  const dir = path.join(source, 'src');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.java'))
    .sort()
    .map((f) => path.join(dir, f));
  const hash = createHash('sha256');
  for (const file of [path.join(source, 'pom.xml'), ...files])
    hash.update(path.basename(file)).update(fs.readFileSync(file));
  return { files, hash: hash.digest('hex').slice(0, 12) };
}

export function ensureMongoJavaServer(toolsDir: string): string {
  const paths = toolPaths(toolsDir).mongoJavaServer;
  const source = path.join(ROOT_DIR, 'tools-src', 'mongo-java-server');
  const { files, hash } = launcherSources(source);
  const classes = path.join(paths.dir, `classes-${hash}`);
  const classpath = `${classes}:${path.join(paths.lib, '*')}`;
  if (fs.existsSync(path.join(classes, 'EmbeddedMongo.class'))) return classpath;
  const needsLib = !fs.existsSync(paths.lib);
  const missing = ['java', 'javac', ...(needsLib ? ['mvn'] : [])].filter((c) => !which(c));
  if (missing.length > 0) {
    throw new MissingToolError(
      `mongo-java-server needs a JDK (java, javac) and Maven on PATH; missing: ${missing.join(', ')}.`,
    );
  }
  if (needsLib) {
    log('fetching mongo-java-server with Maven (first time only)');
    installAtomically(paths.lib, (tmp) => {
      run('mvn', [
        '-q',
        '-B',
        '-f',
        path.join(source, 'pom.xml'),
        'dependency:copy-dependencies',
        `-DoutputDirectory=${tmp}`,
      ]);
    });
  }
  log('compiling the mongo-java-server launcher');
  try {
    installAtomically(classes, (tmp) => run('javac', ['-cp', path.join(paths.lib, '*'), '-d', tmp, ...files]));
  } catch (err) {
    // Another process (a parallel test worker) finished the same build first: its rename won.
    if (!fs.existsSync(path.join(classes, 'EmbeddedMongo.class'))) throw err;
  }
  return classpath;
}
