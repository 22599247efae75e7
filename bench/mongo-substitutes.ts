/**
 * Benchmark of the embedded MongoDB-wire servers, started through the app's own launcher
 * (src/embedded/mongo-server.ts), against mongoose 9 (mongodb driver 7). Results: docs/mongo-substitute.md.
 *
 *   npx tsx bench/mongo-substitutes.ts        (or: npm run bench:mongo)
 *
 * Optional environment: BENCH_ONLY=ferretdb,mjs-h2,mjs-mem  BENCH_DOCS=100000  BENCH_STEP_TIMEOUT_MS=180000
 * BENCH_KEEP=1 (keep the temp data dirs and server logs); TOOLS_DIR as for the app (default .tools).
 *
 * It prints figures and never asserts: a failure is a figure too.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import { loadConfig } from '../src/config';
import { freePort } from '../src/embedded/managed-process';
import { startMongoServer, type MongoServer } from '../src/embedded/mongo-server';
import type { EmbeddedMongoKind } from '../src/tools/install';

const STEP_TIMEOUT_MS = Number(process.env.BENCH_STEP_TIMEOUT_MS ?? 180_000);
const BIG_N = Number(process.env.BENCH_DOCS ?? 100_000);
const KEEP = process.env.BENCH_KEEP === '1';
const ROUNDS = 5;
const N = 50; // concurrent callers

interface Target {
  id: string;
  kind: EmbeddedMongoKind;
  label: string;
  /** Runs on a data dir (restart and SIGKILL checks); otherwise in memory. */
  persistent: boolean;
}

const TARGETS: Target[] = [
  { id: 'ferretdb', kind: 'ferretdb', label: 'FerretDB 1.24.2 (SQLite)', persistent: true },
  { id: 'mjs-h2', kind: 'mongo-java-server', label: 'mongo-java-server 1.47.0 (H2 file)', persistent: true },
  { id: 'mjs-mem', kind: 'mongo-java-server', label: 'mongo-java-server 1.47.0 (in memory)', persistent: false },
];

// ---------------------------------------------------------------------------------------------
// Servers: started and stopped by the launcher; we only keep track of them to clean up.

const TOOLS_DIR = loadConfig().TOOLS_DIR;
const WORK_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-mongo-'));
const live = new Set<MongoServer>();

process.on('exit', () => {
  for (const server of live) signal(server.process.pid, 'SIGKILL');
  if (!KEEP) fs.rmSync(WORK_DIR, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Starts a server; the time covers spawn to first accepted TCP connection (the launcher polls every 100 ms). */
async function start(
  t: Target,
  port: number,
  dataDir: string | undefined,
  runDir: string,
): Promise<{ server: MongoServer; ms: number }> {
  const t0 = performance.now();
  const server = await startMongoServer({ kind: t.kind, toolsDir: TOOLS_DIR, port, dataDir, runDir });
  live.add(server);
  return { server, ms: performance.now() - t0 };
}

/** SIGTERM (the launcher forces SIGKILL after 10 s); returns how long the exit took. */
async function stop(server: MongoServer): Promise<number> {
  const t0 = performance.now();
  await server.process.stop();
  live.delete(server);
  return performance.now() - t0;
}

async function kill(server: MongoServer): Promise<void> {
  signal(server.process.pid, 'SIGKILL');
  await stop(server); // only waits for the exit and removes the pid file
}

function memory(pid: number): string {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const mb = (key: string) =>
      `${Math.round(Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1]) / 1024)} MB`;
    return `${mb('VmRSS')} (peak ${mb('VmHWM')})`;
  } catch {
    return 'n/a';
  }
}

function diskUsage(dir: string): string {
  const r = spawnSync('du', ['-sh', dir], { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout.split('\t')[0] ?? 'n/a') : 'n/a';
}

// ---------------------------------------------------------------------------------------------
// Small utilities

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function fmtMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`TIMEOUT: ${what} exceeded ${fmtMs(ms)}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function errText(e: unknown): string {
  const err = e as { code?: unknown; codeName?: unknown; message?: unknown };
  const code =
    err?.code !== undefined ? ` [code ${String(err.code)}${err.codeName ? ` ${String(err.codeName)}` : ''}]` : '';
  const msg = String(err?.message ?? e).replace(/\s+/g, ' ');
  return `${msg.length > 200 ? `${msg.slice(0, 200)}…` : msg}${code}`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function check(cond: unknown, message: string): void {
  if (!cond) throw new Error(`wrong result: ${message}`);
}

const count = <T>(xs: T[], pred: (x: T) => boolean) => xs.filter(pred).length;

/** Figures of one server, in print order; the summary table has one row per name. */
type Figures = Map<string, string>;

function note(f: Figures, name: string, value: string): void {
  f.set(name, value);
  console.log(`  ${name}: ${value}`);
}

// ---------------------------------------------------------------------------------------------
// Schemas (what an app of this project declares)

const CustomerSchema = new Schema(
  {
    source_id: { type: String, required: true, unique: true },
    email: { type: String, lowercase: true, trim: true },
    name: String,
    segment: String,
    rank: Number,
    address: new Schema(
      { street: String, city: String, zip: String, country: { type: String, default: 'FR' } },
      { _id: false },
    ),
    metadata: Schema.Types.Mixed,
    tags: [String],
    visits: { type: Number, default: 0 },
    consents: [{ _id: false, channel: String, granted: Boolean, at: Date }],
  },
  { timestamps: true, collection: 'customers' },
);
CustomerSchema.index({ segment: 1, createdAt: -1 });

const PromoCodeSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    campaign: String,
    status: { type: String, enum: ['free', 'claimed'] },
    owner: Number,
  },
  { timestamps: true, collection: 'promo_codes' },
);
PromoCodeSchema.index({ campaign: 1, status: 1 });

const CounterSchema = new Schema({ _id: String, seq: { type: Number, default: 0 } }, { collection: 'counters' });

const PersonSchema = new Schema(
  { source_id: String, email: { type: String, unique: true }, segment: { type: String, index: true }, n: Number },
  { collection: 'bench_people', versionKey: false },
);

interface Models {
  Customer: Model<any>;
  PromoCode: Model<any>;
  Counter: Model<any>;
  Person: Model<any>;
}

async function connect(url: string): Promise<{ conn: Connection; m: Models }> {
  const conn = mongoose.createConnection(`${url}/bench`, {
    maxPoolSize: 60,
    serverSelectionTimeoutMS: 10_000,
    autoIndex: false,
    autoCreate: false,
  });
  conn.on('error', () => undefined); // a killed server must not crash the bench
  try {
    await withTimeout(conn.asPromise(), 20_000, 'connect');
  } catch (e) {
    await conn.close(true).catch(() => undefined);
    throw e;
  }
  const m = {
    Customer: conn.model('Customer', CustomerSchema),
    PromoCode: conn.model('PromoCode', PromoCodeSchema),
    Counter: conn.model('Counter', CounterSchema),
    Person: conn.model('Person', PersonSchema),
  };
  return { conn, m };
}

// ---------------------------------------------------------------------------------------------
// a. mongoose compatibility: 18 common operations, plus a transaction as information only

interface OpResult {
  op: string;
  ok: boolean;
  info: boolean;
  detail: string;
}

async function compat(conn: Connection, m: Models): Promise<OpResult[]> {
  const { Customer } = m;
  const results: OpResult[] = [];
  const op = async (name: string, fn: () => Promise<unknown>, info = false) => {
    const t0 = performance.now();
    let r: OpResult;
    try {
      r = { op: name, ok: true, info, detail: String((await withTimeout(fn(), STEP_TIMEOUT_MS, name)) ?? '') };
    } catch (e) {
      r = { op: name, ok: false, info, detail: errText(e) };
    }
    results.push(r);
    console.log(
      `    ${r.ok ? 'ok  ' : 'FAIL'} ${info ? '(info) ' : ''}${name} — ${fmtMs(performance.now() - t0)}${r.detail ? ` — ${r.detail}` : ''}`,
    );
  };
  const expect11000 = async (write: () => Promise<unknown>, after?: () => Promise<void>) => {
    try {
      await write();
    } catch (e: any) {
      check(e.code === 11000, `code ${e.code}: ${e.message}`);
      await after?.();
      return;
    }
    throw new Error('duplicate was accepted');
  };

  await op('Model.init() (create collections)', async () => {
    for (const model of [m.Customer, m.PromoCode, m.Counter]) await model.init();
  });
  await op('syncIndexes()', async () => {
    for (const model of [m.Customer, m.PromoCode, m.Counter]) await model.syncIndexes();
    const idx = await Customer.collection.indexes();
    check(
      idx.find((i) => i.key.source_id === 1)?.unique === true,
      `unique index on source_id missing: ${JSON.stringify(idx)}`,
    );
    check(
      idx.some((i) => i.key.segment === 1 && i.key.createdAt === -1),
      'compound index missing',
    );
  });
  let firstId: unknown;
  await op('create (nested address, Mixed metadata, timestamps)', async () => {
    const c = await Customer.create({
      source_id: 'crm-1',
      email: '  Alice@Example.com ',
      name: 'Alice',
      segment: 'seg_0',
      address: { street: '1 rue de la Paix', city: 'Paris', zip: '75002' },
      metadata: { crm: { score: 3, flags: ['a'] }, origin: 'import' },
      tags: ['new'],
      consents: [{ channel: 'email', granted: true, at: new Date() }],
    });
    firstId = c._id;
    check(c.createdAt instanceof Date, 'createdAt');
  });
  await op('findOne', async () => {
    const c: any = await Customer.findOne({ source_id: 'crm-1' });
    check(c?.email === 'alice@example.com', `email ${c?.email}`);
    check(c.address.city === 'Paris' && c.address.country === 'FR', 'nested address');
    check(c.metadata.crm.score === 3, 'Mixed metadata');
    check(c.createdAt instanceof Date && String(c._id) === String(firstId), 'timestamps/_id');
  });
  await op('updateOne $set/$inc/$push', async () => {
    const before: any = await Customer.findOne({ source_id: 'crm-1' }).lean();
    await sleep(5);
    const r = await Customer.updateOne(
      { source_id: 'crm-1' },
      { $set: { 'address.city': 'Lyon', 'metadata.crm.score': 7 }, $inc: { visits: 2 }, $push: { tags: 'vip' } },
    );
    check(r.matchedCount === 1 && r.modifiedCount === 1, `counts ${JSON.stringify(r)}`);
    const c: any = await Customer.findOne({ source_id: 'crm-1' }).lean();
    check(c.address.city === 'Lyon' && c.address.street === '1 rue de la Paix', `address ${JSON.stringify(c.address)}`);
    check(c.metadata.crm.score === 7 && c.metadata.origin === 'import', `metadata ${JSON.stringify(c.metadata)}`);
    check(c.visits === 2 && c.tags.join() === 'new,vip', `visits ${c.visits} tags ${c.tags}`);
    check(c.updatedAt > before.updatedAt, 'updatedAt not bumped');
  });
  await op('query on nested field + array element', async () => {
    const n = await Customer.countDocuments({ 'address.city': 'Lyon', tags: 'vip' });
    check(n === 1, `${n}`);
  });
  await op('$elemMatch on array of subdocuments', async () => {
    const n = await Customer.countDocuments({ consents: { $elemMatch: { channel: 'email', granted: true } } });
    check(n === 1, `${n}`);
  });
  await op('findOneAndUpdate upsert ($setOnInsert + $set)', async () => {
    const upsert = (name: string, segment: string) =>
      Customer.findOneAndUpdate(
        { source_id: 'crm-2' },
        { $setOnInsert: { name }, $set: { segment } },
        { upsert: true, returnDocument: 'after' },
      );
    const doc: any = await upsert('Bob', 'seg_1');
    check(doc?.name === 'Bob' && doc.createdAt instanceof Date, `returned ${JSON.stringify(doc)}`);
    const again: any = await upsert('Nope', 'seg_2');
    check(again.name === 'Bob' && again.segment === 'seg_2', 'second upsert must update, not insert');
  });
  await op('deleteOne', async () => {
    const r = await Customer.deleteOne({ source_id: 'crm-2' });
    check(r.deletedCount === 1 && !(await Customer.findOne({ source_id: 'crm-2' })), `deletedCount ${r.deletedCount}`);
  });
  await op('insertMany 1000', async () => {
    const docs = Array.from({ length: 1000 }, (_, i) => ({
      source_id: `imp-${i}`,
      email: `imp${i}@example.com`,
      segment: `seg_${i % 10}`,
      rank: i,
      visits: i % 7,
      address: { city: i % 2 ? 'Paris' : 'Lille' },
      metadata: { batch: 1, i },
    }));
    check((await Customer.insertMany(docs)).length === 1000, 'inserted count');
  });
  await op('countDocuments with filter', async () => {
    const n = await Customer.countDocuments({ segment: 'seg_3', 'address.city': 'Paris' });
    check(n === 100, `got ${n}, expected 100`);
  });
  await op('sort + skip + limit page', async () => {
    const page: any[] = await Customer.find({ rank: { $exists: true } })
      .sort({ rank: -1 })
      .skip(20)
      .limit(10)
      .lean();
    check(
      page.map((d) => d.rank).join() === '979,978,977,976,975,974,973,972,971,970',
      `ranks ${page.map((d) => d.rank).join()}`,
    );
    const page2: any[] = await Customer.find({ segment: { $in: ['seg_1', 'seg_2'] } })
      .sort({ segment: 1, rank: -1 })
      .skip(99)
      .limit(2)
      .select({ segment: 1, rank: 1 })
      .lean();
    check(
      page2.map((d) => `${d.segment}/${d.rank}`).join() === 'seg_1/1,seg_2/992',
      `compound sort ${JSON.stringify(page2)}`,
    );
  });
  await op('bulkWrite (insertOne/updateOne/updateMany/replaceOne/deleteOne/upsert)', async () => {
    const r = await Customer.bulkWrite([
      { insertOne: { document: { source_id: 'bw-1', segment: 'seg_bw' } } },
      { updateOne: { filter: { source_id: 'imp-1' }, update: { $inc: { visits: 10 } } } },
      { updateMany: { filter: { segment: 'seg_9' }, update: { $set: { 'metadata.flag': true } } } },
      { replaceOne: { filter: { source_id: 'imp-2' }, replacement: { source_id: 'imp-2', name: 'replaced' } } },
      { deleteOne: { filter: { source_id: 'imp-3' } } },
      { updateOne: { filter: { source_id: 'bw-2' }, update: { $set: { segment: 'seg_bw' } }, upsert: true } },
    ] as any[]);
    const got = {
      ins: r.insertedCount,
      match: r.matchedCount,
      mod: r.modifiedCount,
      del: r.deletedCount,
      ups: r.upsertedCount,
    };
    check(got.ins === 1 && got.match === 102 && got.mod === 102 && got.del === 1 && got.ups === 1, JSON.stringify(got));
    check((await Customer.countDocuments({ 'metadata.flag': true })) === 100, 'updateMany effect');
  });
  await op('aggregate $match/$group/$sum/$sort', async () => {
    const rows: any[] = await Customer.aggregate([
      { $match: { segment: { $in: ['seg_4', 'seg_5', 'seg_6'] } } },
      { $group: { _id: '$segment', n: { $sum: 1 }, visits: { $sum: '$visits' } } },
      { $sort: { _id: 1 } },
    ]);
    check(rows.map((r) => `${r._id}:${r.n}`).join() === 'seg_4:100,seg_5:100,seg_6:100', JSON.stringify(rows));
  });
  await op('distinct', async () => {
    const segs = await Customer.distinct('segment', { rank: { $gte: 0 } });
    check(segs.length === 10, `got ${segs.length}`);
  });
  await op('duplicate insert on unique index -> 11000', () =>
    expect11000(() => Customer.create({ source_id: 'crm-1' })),
  );
  await op('update into a duplicate key -> 11000', () =>
    expect11000(() => Customer.updateOne({ source_id: 'imp-10' }, { $set: { source_id: 'imp-11' } })),
  );
  await op('insertMany ordered:false with one duplicate -> 11000, others kept', () =>
    expect11000(
      () =>
        Customer.insertMany([{ source_id: 'u-1' }, { source_id: 'crm-1' }, { source_id: 'u-2' }], { ordered: false }),
      async () => {
        const n = await Customer.countDocuments({ source_id: { $in: ['u-1', 'u-2'] } });
        check(n === 2, `${n} of the 2 valid docs inserted`);
      },
    ),
  );
  await op(
    'multi-document transaction (session.withTransaction)',
    async () => {
      const session = await conn.startSession();
      try {
        await session.withTransaction(async () => {
          await Customer.create([{ source_id: 'tx-1' }], { session });
          await Customer.updateOne({ source_id: 'crm-1' }, { $inc: { visits: 1 } }, { session });
        });
      } finally {
        await session.endSession();
      }
    },
    true,
  );
  return results;
}

// ---------------------------------------------------------------------------------------------
// b. atomicity under 50 concurrent callers

async function concurrency(m: Models, f: Figures): Promise<void> {
  const { PromoCode, Counter, Customer } = m;
  const claims = { double: 0, lost: 0, nulls: 0, errors: 0, distinct: [] as number[] };
  const incFinal: string[] = [];
  const seqs: string[] = [];
  await Promise.all(Array.from({ length: N }, () => Counter.countDocuments({}))); // warm the pool

  for (let round = 1; round <= ROUNDS; round++) {
    // Claims: N callers, N free codes, each findOneAndUpdate must get a different one.
    await PromoCode.deleteMany({});
    await PromoCode.insertMany(
      Array.from({ length: N }, (_, k) => ({ code: `R${round}-C${k}`, campaign: 'bench', status: 'free' })),
    );
    const t0 = performance.now();
    const outcomes = await withTimeout(
      Promise.all(
        Array.from({ length: N }, (_, i) =>
          PromoCode.findOneAndUpdate(
            { status: 'free' },
            { $set: { status: 'claimed', owner: i } },
            { returnDocument: 'after' },
          )
            .lean()
            .then((doc: any) => ({ i, code: doc?.code as string | undefined, err: '' }))
            .catch((e: unknown) => ({ i, code: undefined, err: errText(e) })),
        ),
      ),
      STEP_TIMEOUT_MS,
      'claim round',
    );
    const ms = performance.now() - t0;
    const stored: any[] = await PromoCode.find({}).lean();
    const ownerOf = new Map(stored.map((d) => [d.code, d.owner]));
    const won = outcomes.filter((o) => o.code !== undefined);
    const distinct = new Set(won.map((o) => o.code)).size;
    // A claim is lost when a caller was told it got a code whose stored owner is someone else.
    const lost = count(won, (o) => ownerOf.get(o.code) !== o.i);
    const errors = count(outcomes, (o) => !!o.err);
    claims.double += won.length - distinct;
    claims.lost += lost;
    claims.errors += errors;
    claims.nulls += outcomes.length - won.length - errors;
    claims.distinct.push(distinct);
    console.log(
      `    round ${round}: claims in ${fmtMs(ms)}: ${distinct}/${N} distinct codes, ${won.length - distinct} double, ${lost} lost, ` +
        `${errors} errors${errors ? ` (${outcomes.find((o) => o.err)?.err})` : ''}`,
    );

    // Counter: N concurrent $inc, then N concurrent findOneAndUpdate $inc (expected N distinct returned values).
    await Counter.deleteMany({});
    await Counter.create({ _id: 'c', seq: 0 });
    const incErrors = count(
      await Promise.all(
        Array.from({ length: N }, () =>
          Counter.updateOne({ _id: 'c' }, { $inc: { seq: 1 } }).then(
            () => true,
            () => false,
          ),
        ),
      ),
      (ok) => !ok,
    );
    const afterInc: any = await Counter.findById('c').lean();
    const returned = await Promise.all(
      Array.from({ length: N }, () =>
        Counter.findOneAndUpdate({ _id: 'c' }, { $inc: { seq: 1 } }, { returnDocument: 'after' })
          .lean()
          .then(
            (d: any) => d?.seq as number | undefined,
            () => undefined,
          ),
      ),
    );
    const final: any = await Counter.findById('c').lean();
    incFinal.push(`${afterInc?.seq}${incErrors ? ` (${incErrors} errors)` : ''}`);
    seqs.push(`${new Set(returned.filter((s) => s !== undefined)).size} distinct/final ${final?.seq}`);
    console.log(
      `    round ${round}: ${N}×$inc → ${afterInc?.seq} (expect ${N}); ${N}×findOneAndUpdate $inc → ${seqs[seqs.length - 1]} (expect ${N}/${2 * N})`,
    );
  }
  note(
    f,
    `claims: ${ROUNDS}×${N} concurrent findOneAndUpdate`,
    `${claims.double} double, ${claims.lost} lost, ${claims.nulls} null, ${claims.errors} errors; distinct per round ${claims.distinct.join(', ')}`,
  );
  note(f, `${N} concurrent $inc, final value per round (expect ${N})`, incFinal.join(', '));
  note(f, `${N} concurrent findOneAndUpdate $inc: distinct returned / final (expect ${N}/${2 * N})`, seqs.join('; '));

  // Dedup rests on unique indexes: N concurrent inserts / upserts of one key must leave exactly one document.
  const outcome = (e: any) => (e.code === 11000 ? 'dup' : `other: ${errText(e)}`);
  const tally = (xs: string[], docs: number, extra = '') =>
    `${count(xs, (x) => x === 'ok')} ok, ${count(xs, (x) => x === 'dup')}×11000, ${count(xs, (x) => x.startsWith('other'))} other; ${docs} doc${extra}`;
  const ins = await Promise.all(
    Array.from({ length: N }, () => Customer.create({ source_id: 'race-insert' }).then(() => 'ok', outcome)),
  );
  note(
    f,
    `${N} concurrent inserts, same unique key`,
    tally(ins, await Customer.countDocuments({ source_id: 'race-insert' })),
  );
  const ups = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      Customer.findOneAndUpdate(
        { source_id: 'race-upsert' },
        { $setOnInsert: { name: `w${i}` }, $inc: { visits: 1 } },
        { upsert: true },
      ).then(() => 'ok', outcome),
    ),
  );
  const upDocs: any[] = await Customer.find({ source_id: 'race-upsert' }).lean();
  note(
    f,
    `${N} concurrent upserts, same key`,
    tally(ups, upDocs.length, `, visits ${upDocs.map((d) => d.visits).join('+')}`),
  );
}

// ---------------------------------------------------------------------------------------------
// c. writes and secondary-index queries on BIG_N documents

async function bigLoad(conn: Connection, m: Models, f: Figures): Promise<void> {
  const { Person } = m;
  // Single-document writes show the cost of a per-write commit; insertMany below commits once per batch.
  const single = conn.db!.collection('bench_single');
  const t1 = performance.now();
  for (let i = 0; i < 1000; i++) await single.insertOne({ i, payload: `row-${i}` });
  const singleMs = performance.now() - t1;
  note(
    f,
    '1000 sequential insertOne',
    `${fmtMs(singleMs)} (${Math.round(1000 / (singleMs / 1000))}/s, ${(singleMs / 1000).toFixed(2)} ms each)`,
  );

  await Person.init();
  await Person.syncIndexes();
  const tLoad = performance.now();
  let inserted = 0;
  while (inserted < BIG_N && performance.now() - tLoad < STEP_TIMEOUT_MS) {
    const batch = Array.from({ length: Math.min(1000, BIG_N - inserted) }, (_, k) => {
      const i = inserted + k;
      return { source_id: `src-${i}`, email: `user${i}@example.com`, segment: `seg_${i % 100}`, n: i };
    });
    await withTimeout(Person.insertMany(batch, { lean: true }), STEP_TIMEOUT_MS, 'insertMany batch');
    inserted += batch.length;
    if (inserted % 20_000 === 0) console.log(`      … ${inserted} docs, ${fmtMs(performance.now() - tLoad)}`);
  }
  const loadMs = performance.now() - tLoad;
  note(
    f,
    `insert ${BIG_N} (insertMany, batches of 1000)`,
    `${fmtMs(loadMs)} (${(inserted / (loadMs / 1000) / 1000).toFixed(1)}k/s)${inserted < BIG_N ? `, stopped at ${inserted} by the step bound` : ''}`,
  );

  const perSegment = Math.floor(inserted / 100);
  const probe = Math.min(77_777, inserted - 1);
  const queries: [string, () => Promise<number>, number][] = [
    [
      'find({segment}), ~1000 hits, non-unique index',
      async () => (await Person.find({ segment: 'seg_42' }).lean()).length,
      perSegment,
    ],
    [
      'findOne({email}), unique index',
      async () => ((await Person.findOne({ email: `user${probe}@example.com` }).lean()) ? 1 : 0),
      1,
    ],
    ['countDocuments({segment})', () => Person.countDocuments({ segment: 'seg_7' }), perSegment],
    [
      'find({n: range}), no index',
      async () => (await Person.find({ n: { $gte: 50_000, $lt: 50_100 } }).lean()).length,
      Math.max(0, Math.min(100, inserted - 50_000)),
    ],
  ];
  for (const [name, run, expected] of queries) {
    const times: number[] = [];
    let result = '';
    try {
      for (let k = 0; k < 5; k++) {
        const t = performance.now();
        const n = await withTimeout(run(), STEP_TIMEOUT_MS, name);
        times.push(performance.now() - t);
        result = n === expected ? '✓' : `✗ ${n}, expected ${expected}`;
      }
    } catch (e) {
      result = errText(e);
    }
    note(f, `${name}, median of 5`, times.length ? `${fmtMs(median(times))} (${result})` : result);
  }
  try {
    const plan = JSON.stringify(await withTimeout(Person.find({ segment: 'seg_42' }).explain(), 30_000, 'explain'));
    note(
      f,
      'explain(find segment)',
      /IXSCAN|USING (COVERING )?INDEX|segment_1/i.test(plan) ? 'index used' : 'no index in plan',
    );
  } catch (e) {
    note(f, 'explain(find segment)', `fails: ${errText(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// d. persistence: SIGTERM + restart, then acknowledged writes just before a SIGKILL

async function countAll(conn: Connection): Promise<string> {
  const counts = await Promise.all(
    ['customers', 'bench_people', 'bench_single'].map((c) => conn.db!.collection(c).countDocuments({})),
  );
  return counts.join('/');
}

async function persistence(
  server: MongoServer,
  conn: Connection,
  restart: (after: string) => Promise<MongoServer>,
  f: Figures,
): Promise<MongoServer> {
  const before = await countAll(conn);
  await conn.close();
  note(f, 'SIGTERM to exit (with data)', fmtMs(await stop(server)));
  server = await restart('SIGTERM');
  conn = (await connect(server.url)).conn;
  const after = await countAll(conn);
  note(
    f,
    'data kept across SIGTERM + restart',
    after === before ? `yes (${after} docs)` : `NO (before ${before}, after ${after})`,
  );

  // One write 3 s before the kill; then one of each write command, acknowledged, and SIGKILL at once.
  const probe = conn.db!.collection('crash_probe');
  await probe.insertMany([{ k: 'early' }, { k: 'doomed' }]);
  await sleep(3000);
  await probe.insertOne({ k: 'late' });
  await probe.updateOne({ k: 'early' }, { $set: { updated: true } });
  await probe.findOneAndUpdate({ k: 'late' }, { $set: { modified: true } });
  await probe.deleteOne({ k: 'doomed' });
  await Promise.all(Array.from({ length: N }, (_, i) => probe.insertOne({ k: 'burst', i })));
  await kill(server);
  await conn.close(true).catch(() => undefined);

  server = await restart('SIGKILL');
  conn = (await connect(server.url)).conn;
  const after2 = conn.db!.collection('crash_probe');
  const has = async (filter: object) => (await after2.countDocuments(filter)) === 1;
  const kept = {
    'write 3 s before': await has({ k: 'early' }),
    insert: await has({ k: 'late' }),
    update: await has({ k: 'early', updated: true }),
    findAndModify: await has({ k: 'late', modified: true }),
    delete: (await after2.countDocuments({ k: 'doomed' })) === 0,
  };
  const burst = await after2.countDocuments({ k: 'burst' });
  const lost = Object.entries(kept)
    .filter(([, ok]) => !ok)
    .map(([what]) => what);
  note(
    f,
    'acknowledged writes kept across SIGKILL',
    `${lost.length === 0 && burst === N ? 'yes' : 'NO'}: single writes ${lost.length ? `LOST: ${lost.join(', ')}` : 'kept (insert, update, findAndModify, delete; one 3 s earlier)'}; ` +
      `last ${N} concurrent inserts: ${burst} kept; data ${await countAll(conn)}`,
  );
  await conn.close();
  return server;
}

// ---------------------------------------------------------------------------------------------
// Per server

interface Report {
  target: Target;
  figures: Figures;
  compat: OpResult[];
}

async function benchServer(t: Target): Promise<Report> {
  const f: Figures = new Map();
  const report: Report = { target: t, figures: f, compat: [] };
  const tStart = performance.now();
  console.log(`\n=== ${t.label} [${t.id}] ===`);
  const dir = path.join(WORK_DIR, t.id);
  const dataDir = t.persistent ? path.join(dir, 'data') : undefined;
  const runDir = path.join(dir, 'run');
  const port = await freePort();
  let server: MongoServer | undefined;
  let conn: Connection | undefined;
  const restart = async (after: string) => {
    const started = await start(t, port, dataDir, runDir);
    note(f, `startup after ${after} (with data)`, fmtMs(started.ms));
    server = started.server;
    return server;
  };
  try {
    const started = await start(t, port, dataDir, runDir);
    server = started.server;
    note(f, 'startup to first accepted TCP connection (empty)', fmtMs(started.ms));
    let m: Models;
    try {
      ({ conn, m } = await connect(server.url));
      const admin = conn.db!.admin();
      const hello = await admin.command({ hello: 1 }).catch(() => admin.command({ isMaster: 1 }));
      const build = await admin.command({ buildInfo: 1 }).catch(() => ({ version: '?' }));
      note(f, 'mongoose 9 connect', `ok (reports ${build.version}, wire ${hello.maxWireVersion})`);
    } catch (e) {
      note(f, 'mongoose 9 connect', `FAIL: ${errText(e)}`);
      return report;
    }

    console.log('  a. mongoose compatibility');
    report.compat = await compat(conn, m);
    const core = report.compat.filter((o) => !o.info);
    const failed = core.filter((o) => !o.ok).map((o) => o.op);
    note(
      f,
      'compat ops ok (core)',
      `${core.length - failed.length}/${core.length}${failed.length ? ` — failed: ${failed.join('; ')}` : ''}`,
    );
    const tx = report.compat.find((o) => o.info);
    note(f, 'multi-document transaction (info)', tx?.ok ? 'ok' : `no: ${tx?.detail.slice(0, 100)}`);

    console.log(`  b. ${N} concurrent callers (maxPoolSize 60), ${ROUNDS} rounds`);
    await concurrency(m, f).catch((e) => note(f, 'concurrency', `FAIL: ${errText(e)}`));

    console.log(`  c. writes and secondary-index queries on ${BIG_N} docs`);
    await bigLoad(conn, m, f).catch((e) => note(f, 'load', `FAIL: ${errText(e)}`));
    note(f, 'server RSS after load', memory(server.process.pid));
    note(f, 'data on disk', dataDir ? diskUsage(dataDir) : 'n/a (memory)');

    if (t.persistent) {
      console.log('  d. persistence');
      const c = conn;
      conn = undefined;
      server = await persistence(server, c, restart, f);
    }
  } catch (e) {
    note(f, 'aborted', errText(e));
  } finally {
    await conn?.close(true).catch(() => undefined);
    if (server && live.has(server)) note(f, 'final SIGTERM to exit', fmtMs(await stop(server)));
    note(f, 'bench time', fmtMs(performance.now() - tStart));
    if (KEEP) console.log(`  kept ${dir}`);
  }
  return report;
}

function summary(reports: Report[]): void {
  const rows = [...new Set(reports.flatMap((r) => [...r.figures.keys()]))];
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  console.log('\n=== Summary (markdown) ===\n');
  console.log(`| figure | ${reports.map((r) => r.target.id).join(' | ')} |`);
  console.log(`|---|${reports.map(() => '---').join('|')}|`);
  for (const row of rows)
    console.log(`| ${row} | ${reports.map((r) => cell(r.figures.get(row) ?? '–')).join(' | ')} |`);
  const failures = reports.flatMap((r) =>
    r.compat.filter((o) => !o.ok).map((o) => `- ${r.target.id}: ${o.info ? '(info) ' : ''}${o.op}: ${o.detail}`),
  );
  if (failures.length) console.log(`\nFailed ops:\n${failures.join('\n')}`);
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const targets = only?.length ? TARGETS.filter((t) => only.includes(t.id)) : TARGETS;
  console.log(
    `mongoose ${mongoose.version}, node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg()[0]?.toFixed(2)}`,
  );
  console.log(
    `tools ${TOOLS_DIR}, step bound ${fmtMs(STEP_TIMEOUT_MS)}, big collection ${BIG_N} docs, work dir ${WORK_DIR}`,
  );
  const reports: Report[] = [];
  for (const t of targets) reports.push(await benchServer(t));
  summary(reports);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
