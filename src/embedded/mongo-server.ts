import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { ensureFerretDb, ensureMongoJavaServer, MissingToolError } from '../tools/install';
import { downloadMongod } from '../tools/mongod-download';
import { which } from '../tools/which';
import { startManagedProcess, type ManagedProcess } from './managed-process';
import { candidateKinds, chooseFirst, type Candidate, type Choice } from './server-choice';

/** In the order they are preferred: a real MongoDB first, the substitutes only where none can be had. */
export const MONGO_SERVER_ORDER = ['mongod', 'mongod-download', 'mongo-java-server', 'ferretdb'] as const;
export type MongoServerKind = (typeof MONGO_SERVER_ORDER)[number];

export interface MongoServerOptions {
  /** `auto`: the first of MONGO_SERVER_ORDER that is here or can be fetched or built. */
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
  /** Why the kinds before it were not used, for the start-up log. */
  skipped: Choice<MongoServerKind, string>['skipped'];
  /** Connection string without a database name. */
  url: string;
  process: ManagedProcess;
}

/** Finds, fetches or builds the first server of the order (or the forced one); what `npm install` runs too. */
export function chooseMongoServer(
  kind: MongoServerOptions['kind'],
  toolsDir: string,
): Promise<Choice<MongoServerKind, string>> {
  const obtain: Record<MongoServerKind, () => string | Promise<string>> = {
    mongod: () => which('mongod') ?? fail('none on PATH.'),
    'mongod-download': () => downloadMongod(toolsDir),
    'mongo-java-server': () => ensureMongoJavaServer(toolsDir),
    ferretdb: () => ensureFerretDb(toolsDir),
  };
  const candidates: Array<Candidate<MongoServerKind, string>> = candidateKinds(MONGO_SERVER_ORDER, kind).map((k) => ({
    kind: k,
    obtain: obtain[k],
  }));
  return chooseFirst(candidates, 'MongoDB server (set MONGO_URL to one of your own)');
}

export async function startMongoServer(options: MongoServerOptions): Promise<MongoServer> {
  const choice = await chooseMongoServer(options.kind, options.toolsDir);
  const { command, args } = serverCommand(choice.kind, choice.value, options);
  const proc = await startManagedProcess({
    name: choice.kind,
    command,
    args,
    runDir: options.runDir,
    port: options.port,
    startTimeoutMs: 60_000,
  });
  const url = `mongodb://127.0.0.1:${options.port}`;
  if (choice.kind === 'mongod' || choice.kind === 'mongod-download') {
    try {
      await initiateReplicaSet(url);
    } catch (err) {
      await proc.stop();
      throw err;
    }
  }
  return { kind: choice.kind, skipped: choice.skipped, url, process: proc };
}

function fail(message: string): never {
  throw new MissingToolError(message);
}

/** The replica set a real mongod runs as, so change streams and transactions work like in production. */
const REPLICA_SET = 'rs0';

function serverCommand(
  kind: MongoServerKind,
  binary: string,
  { port, dataDir, heap = '512m' }: MongoServerOptions,
): { command: string; args: string[] } {
  if (kind === 'mongod' || kind === 'mongod-download') {
    const dbPath = dataDir ? ensureDir(path.join(dataDir, 'mongod')) : scratchDir('mongod');
    return {
      command: binary,
      args: ['--bind_ip', '127.0.0.1', '--port', String(port), '--dbpath', dbPath, '--replSet', REPLICA_SET],
    };
  }
  if (kind === 'ferretdb') {
    // FerretDB keeps one SQLite file per database and has no in-memory mode in our wrapper.
    const dir = dataDir ? path.join(dataDir, 'ferretdb') : scratchDir('ferretdb');
    return { command: binary, args: ['--listen-addr', `127.0.0.1:${port}`, '--data-dir', dir] };
  }
  const store = dataDir ? path.join(ensureDir(path.join(dataDir, 'mongo')), 'mongo.mv') : ':memory:';
  return {
    command: 'java',
    // Quick JIT tiers and a shared archive cut JVM start-up, which matters more here than peak speed.
    // A bounded heap: left to its default the JVM grew past 1.5 GB on 100k documents (docs/mongo-substitute.md);
    // larger data sets (the 1M-code benchmark) raise it through EMBEDDED_MONGO_HEAP.
    args: [
      `-Xmx${heap}`,
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Xshare:auto',
      '-cp',
      binary,
      'EmbeddedMongo',
      '127.0.0.1',
      String(port),
      store,
    ],
  };
}

/** Initiates the single-node set on first start (a restart finds it configured) and waits until it is primary. */
async function initiateReplicaSet(url: string): Promise<void> {
  const client = new mongoose.mongo.MongoClient(url, { directConnection: true, serverSelectionTimeoutMS: 10_000 });
  try {
    const admin = client.db('admin');
    const status = await admin.command({ replSetGetStatus: 1 }).catch((err: { codeName?: string }) => {
      if (err.codeName === 'NotYetInitialized') return undefined;
      throw err;
    });
    if (!status)
      await admin.command({ replSetInitiate: { _id: REPLICA_SET, members: [{ _id: 0, host: new URL(url).host }] } });
    const deadline = Date.now() + 30_000;
    while (!(await admin.command({ hello: 1 })).isWritablePrimary) {
      if (Date.now() > deadline)
        throw new Error(`mongod at ${url} did not become primary of replica set ${REPLICA_SET} within 30 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await client.close();
  }
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
