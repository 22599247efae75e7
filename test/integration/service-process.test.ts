import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_DIR } from '../../src/config';
import { freePort } from '../../src/embedded/managed-process';

/**
 * `npm start` as a user runs it: one process that starts its own Temporal dev server and
 * database server under DATA_DIR, then the worker and the API.
 */
describe('the all-in-one service process (npm start)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-start-'));
  let env: NodeJS.ProcessEnv;
  let api: string;
  let ui: string;

  beforeAll(async () => {
    const [port, temporalPort, uiPort, mongoPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    api = `http://127.0.0.1:${port}`;
    ui = `http://127.0.0.1:${uiPort}`;
    env = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      MONGO_PORT: String(mongoPort),
      APP_ID: 'start-test',
      APP_TOKEN: 'start-test-token-0123456789abcdef0123',
      TEMPORAL_ADDRESS: '',
      MONGO_URL: '',
      MONGO_DB: '',
    };
  });
  const children: ChildProcess[] = [];
  afterAll(async () => {
    // A failed assertion must not leave a service (and its servers) running.
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all(
      children.map((c) =>
        c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined,
      ),
    );
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function start(): { child: ChildProcess; output: () => string } {
    // What `npm start` runs, minus npm: signals reach the service itself.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    return { child, output: () => out };
  }

  async function waitHealthy(output: () => string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${api}/health`);
        if (res.status === 200) return (await res.json()) as Record<string, unknown>;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`service did not become healthy:\n${output()}`);
  }

  /** Pids of the servers the service started, from the pid files it keeps. */
  function serverPids(): number[] {
    const runDir = path.join(dataDir, 'run');
    return fs
      .readdirSync(runDir)
      .filter((f) => f.endsWith('.pid'))
      .map((f) => Number(fs.readFileSync(path.join(runDir, f), 'utf8').split('\n')[0]));
  }

  const alive = (pid: number) =>
    fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const auth = {
    'X-App-Id': 'start-test',
    'X-App-Token': 'start-test-token-0123456789abcdef0123',
    'Content-Type': 'application/json',
  };

  it('serves /health with every dependency up and the Temporal Web UI, logs where each listens, keeps data across a restart, and stops its servers on SIGTERM', async () => {
    const first = start();
    const health = await waitHealthy(first.output);
    expect(health).toMatchObject({
      status: 'ok',
      dependencies: { temporal: { ok: true }, database: { ok: true }, worker: { ok: true } },
    });

    const uiPage = await fetch(ui);
    expect(uiPage.status).toBe(200);
    expect(await uiPage.text()).toMatch(/<html/i);
    // Payloads are encrypted: the UI is told to decode them through the API's codec endpoint, which lets the UI's origin call it.
    const uiSettings = (await (await fetch(`${ui}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
    expect(uiSettings.Codec.Endpoint).toBe(`${api}/codec`);
    const preflight = await fetch(`${api}/codec/decode`, {
      method: 'OPTIONS',
      headers: { Origin: ui, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ui);
    expect(first.output()).toContain(`ready: API ${api} | Temporal Web UI ${ui} | database mongodb://127.0.0.1:`);
    // Which server each is, and why every one preferred to it was not used (issue 25).
    expect(first.output()).toMatch(
      /database: (mongod|mongod-download|mongo-java-server|ferretdb)\b(?: \(not used: MONGO_URL: unset(?:; mongod[^)]*)?[^"]*\))?, listening on mongodb:\/\/127\.0\.0\.1:/,
    );
    expect(first.output()).toMatch(
      /Temporal dev server: (temporal|temporal-download|temporal-build)\b(?: \(not used: TEMPORAL_ADDRESS: unset[^"]*\))?, on 127\.0\.0\.1:/,
    );

    const created = await fetch(`${api}/v1/app-keys`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'survives restart', role: 'admin' }),
    });
    expect(created.status).toBe(201);
    const key = (await created.json()) as { id: string; token: string };

    const pids = serverPids();
    expect(pids).toHaveLength(2);
    // Pid files, server logs and the key file are the service's own; their folders too.
    const runDir = path.join(dataDir, 'run');
    for (const name of fs.readdirSync(runDir).filter((f) => /\.(pid|log)$/.test(f)))
      expect({ name, mode: fs.statSync(path.join(runDir, name)).mode & 0o777 }).toEqual({ name, mode: 0o600 });
    expect(fs.statSync(runDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dataDir, 'channel-secrets.key')).mode & 0o777).toBe(0o600);
    const firstExit = exited(first.child);
    first.child.kill('SIGTERM');
    expect(await firstExit).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);

    const second = start();
    await waitHealthy(second.output);
    const listed = await fetch(`${api}/v1/app-keys`, { headers: { 'X-App-Id': key.id, 'X-App-Token': key.token } });
    expect(listed.status).toBe(200);
    const secondPids = serverPids();
    const secondExit = exited(second.child);
    second.child.kill('SIGINT');
    expect(await secondExit).toBe(0);
    for (const pid of secondPids) expect(alive(pid)).toBe(false);
  }, 300_000);

  it('cleans up servers left by a process that was SIGKILLed, on the next start', async () => {
    const first = start();
    await waitHealthy(first.output);
    const orphans = serverPids();
    const firstExit = exited(first.child);
    first.child.kill('SIGKILL');
    await firstExit;
    expect(orphans.every(alive)).toBe(true);

    const second = start();
    await waitHealthy(second.output);
    for (const pid of orphans) expect(alive(pid)).toBe(false);
    const secondPids = serverPids();
    const secondExit = exited(second.child);
    second.child.kill('SIGTERM');
    await secondExit;
    for (const pid of secondPids) expect(alive(pid)).toBe(false);
  }, 300_000);
});
