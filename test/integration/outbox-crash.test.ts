import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDatabase } from '../../src/db/connect';
import { ROOT_DIR } from '../../src/config';
import { freePort } from '../../src/embedded/managed-process';
import { uniqueName } from '../helpers/context';
import { eventually } from '../helpers/sdk';

/**
 * The whole service as a process, killed with SIGKILL while customers flip in and out of
 * an auto-update segment, then restarted. Afterwards every customer's entered/left events
 * must alternate and add up to its final membership (a lost or doubled event breaks the
 * alternation), and every event must have reached Temporal.
 */
describe('a service killed mid-write loses no event and doubles none', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-crash-'));
  const dbName = uniqueName('crash');
  const auth = {
    'X-App-Id': 'crash-app',
    'X-App-Token': 'crash-token-0123456789abcdef0123456789',
    'Content-Type': 'application/json',
  };
  let api: string;
  let env: NodeJS.ProcessEnv;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    env = {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      MONGO_URL: process.env.TEST_MONGO_URL,
      MONGO_DB: dbName,
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: uniqueName('crash'),
      APP_ID: auth['X-App-Id'],
      APP_TOKEN: auth['X-App-Token'],
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    const { db } = await connectDatabase(process.env.TEST_MONGO_URL!, dbName);
    await db.dropDatabase();
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<void> {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT_DIR, env, stdio: 'ignore' });
    await eventually(
      async () => {
        try {
          return (await fetch(`${api}/health`)).status === 200 ? true : undefined;
        } catch {
          return undefined;
        }
      },
      120_000,
      'service healthy',
    );
  }

  async function call(
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${api}${route}`, {
      method,
      headers: auth,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>) };
  }

  it('keeps entered/left events consistent across three SIGKILLs', async () => {
    await start();
    const segment = await call('POST', '/v1/segments', {
      name: 'Flag on',
      type: 'auto-update',
      filter: { junction: 'and', 'metadata.flag': { conditions: { $is: ['on'] } } },
    });
    expect(segment.status).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++)
      ids.push(
        (await call('POST', '/v1/customers', { source_id: `crash-${i}`, metadata: { flag: 'off' } })).json.id as string,
      );
    await eventually(
      async () =>
        (await call('GET', `/v1/segments/${segment.json.id}`)).json.sync_status === 'synced' ? true : undefined,
      30_000,
      'segment synced',
    );

    const lastAcked = new Map<string, string>();
    const lastSent = new Map<string, string>();
    for (let cycle = 0; cycle < 3; cycle++) {
      let stop = false;
      const writers = ids.map(async (id, i) => {
        for (let n = 0; !stop; n++) {
          const flag = (n + i + cycle) % 2 === 0 ? 'on' : 'off';
          lastSent.set(id, flag);
          try {
            const res = await call('PUT', `/v1/customers/${id}`, { metadata: { flag } });
            if (res.status === 200) lastAcked.set(id, flag);
          } catch {
            return; // the service is gone: this writer's last request is unacknowledged
          }
        }
      });
      await new Promise((r) => setTimeout(r, 800 + cycle * 300));
      const exited = new Promise((r) => child!.once('exit', r));
      child!.kill('SIGKILL');
      stop = true;
      await Promise.all(writers);
      await exited;
      await start();
    }

    const { db, models } = await connectDatabase(process.env.TEST_MONGO_URL!, dbName);
    try {
      await eventually(
        async () => {
          const pending = await models.Customer.countDocuments({ outbox_pending: true });
          const unrouted = await models.DomainEvent.countDocuments({ routed_at: { $exists: false } });
          return pending === 0 && unrouted === 0 ? true : undefined;
        },
        60_000,
        'outboxes relayed and every event routed',
      );

      for (const id of ids) {
        const customer = await models.Customer.findById(id).lean();
        const flag = customer!.metadata.flag as string;
        // The final state is the last acknowledged write, or the unacknowledged one sent after it.
        expect([lastAcked.get(id), lastSent.get(id)]).toContain(flag);
        const member = customer!.segments.includes(segment.json.id as string);
        expect(member).toBe(flag === 'on');
        const types = (await models.DomainEvent.find({ customer_id: id }).sort({ 'source.version': 1 }).lean()).map(
          (e) => e.type,
        );
        types.forEach((type, i) => {
          expect(type).toBe(i % 2 === 0 ? 'customer.segment.entered' : 'customer.segment.left');
        });
        expect(types.length % 2).toBe(member ? 1 : 0);
      }
      const total = await models.DomainEvent.countDocuments();
      expect(total).toBeGreaterThan(ids.length);
    } finally {
      await db.close();
    }
  }, 240_000);
});
