import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_EMBEDDED_MONGO, ensureFerretDb, ensureMongoJavaServer, MissingToolError, type EmbeddedMongoKind } from '../tools/install';
import { which } from '../tools/which';
import { startManagedProcess, type ManagedProcess } from './managed-process';

export type MongoServerKind = 'mongod' | EmbeddedMongoKind;

export interface MongoServerOptions {
  /** `auto`: a `mongod` on PATH, else the default embedded substitute, else the other one. */
  kind: 'auto' | MongoServerKind;
  toolsDir: string;
  port: number;
  /** Where data persists; `undefined` keeps it in memory where the server can (tests). */
  dataDir?: string;
  runDir: string;
  /** JVM heap for mongo-java-server, e.g. `512m`. */
  heap?: string;
}

export interface MongoServer {
  kind: MongoServerKind;
  /** Connection string without a database name. */
  url: string;
  process: ManagedProcess;
}

export async function startMongoServer(options: MongoServerOptions): Promise<MongoServer> {
  const { kind, command, args } = resolveCommand(options);
  const proc = await startManagedProcess({ name: kind, command, args, runDir: options.runDir, port: options.port, startTimeoutMs: 60_000 });
  return { kind, url: `mongodb://127.0.0.1:${options.port}`, process: proc };
}

function resolveCommand(options: MongoServerOptions): { kind: MongoServerKind; command: string; args: string[] } {
  const { port, dataDir } = options;
  const mongod = which('mongod');
  if (options.kind === 'mongod' || (options.kind === 'auto' && mongod)) {
    if (!mongod) throw new MissingToolError('EMBEDDED_MONGO=mongod but no mongod is on PATH.');
    const dbPath = dataDir ? ensureDir(path.join(dataDir, 'mongod')) : scratchDir('mongod');
    return { kind: 'mongod', command: mongod, args: ['--bind_ip', '127.0.0.1', '--port', String(port), '--dbpath', dbPath] };
  }
  const candidates: EmbeddedMongoKind[] =
    options.kind === 'auto' ? [DEFAULT_EMBEDDED_MONGO, DEFAULT_EMBEDDED_MONGO === 'ferretdb' ? 'mongo-java-server' : 'ferretdb'] : [options.kind];
  const problems: string[] = [];
  for (const kind of candidates) {
    try {
      return { kind, ...embeddedCommand(kind, options) };
    } catch (err) {
      if (!(err instanceof MissingToolError)) throw err;
      problems.push(err.message);
    }
  }
  throw new MissingToolError(
    `No MongoDB server: set MONGO_URL to a MongoDB (or compatible) server, put mongod on PATH, or install what an embedded server needs. ${problems.join(' ')}`,
  );
}

function embeddedCommand(kind: EmbeddedMongoKind, { toolsDir, port, dataDir, heap = '512m' }: MongoServerOptions): { command: string; args: string[] } {
  if (kind === 'ferretdb') {
    // FerretDB keeps one SQLite file per database and has no in-memory mode in our wrapper.
    const dir = dataDir ? path.join(dataDir, 'ferretdb') : scratchDir('ferretdb');
    return { command: ensureFerretDb(toolsDir), args: ['--listen-addr', `127.0.0.1:${port}`, '--data-dir', dir] };
  }
  const classpath = ensureMongoJavaServer(toolsDir);
  const store = dataDir ? path.join(ensureDir(path.join(dataDir, 'mongo')), 'mongo.mv') : ':memory:';
  return {
    command: 'java',
    // Quick JIT tiers and a shared archive cut JVM start-up, which matters more here than peak speed.
    // A bounded heap: left to its default the JVM grew past 1.5 GB on 100k documents (docs/mongo-substitute.md);
    // larger data sets (the 1M-code benchmark) raise it through EMBEDDED_MONGO_HEAP.
    args: [`-Xmx${heap}`, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xshare:auto', '-cp', classpath, 'EmbeddedMongo', '127.0.0.1', String(port), store],
  };
}

/** The database's files hold every customer: the service's user only. */
function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** A throwaway data folder for servers that cannot run in memory. */
function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `promo-${prefix}-`));
}
