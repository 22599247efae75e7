import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DownloadUnavailableError, fetchOrUnavailable, probeHost } from '../../src/tools/download';
import { downloadMongod } from '../../src/tools/mongod-download';
import { downloadedTemporalCliPath, downloadTemporalCli, temporalSdkVersion } from '../../src/tools/temporal-download';

/** Listens and accepts, then never answers: what a host behind a dropping firewall looks like to a client. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function timed<T>(promise: Promise<T>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await promise;
    return { error: undefined, ms: Date.now() - started };
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
}

describe('a download host that never answers', () => {
  let host: Awaited<ReturnType<typeof silentServer>>;
  const tools = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-downloads-'));
  beforeAll(async () => {
    host = await silentServer();
  });
  afterAll(async () => {
    await host.close();
    fs.rmSync(tools, { recursive: true, force: true });
  });

  it('fails within the timeout with one line naming the host', async () => {
    const { error, ms } = await timed(fetchOrUnavailable(`${host.url}/file`, 'the thing', 500));
    expect(error).toBeInstanceOf(DownloadUnavailableError);
    expect((error as Error).message).toBe(
      `could not download the thing from ${new URL(host.url).host} (no answer within 0.5 s).`,
    );
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(2_000);
    const probe = await timed(probeHost(host.url, 'the thing', 500));
    expect((probe.error as Error).message).toMatch(/no answer within 0\.5 s/);
    expect(probe.ms).toBeLessThan(2_000);
  });

  it('lets the Temporal CLI download give up within the timeout and leave nothing in the cache', async () => {
    const { error, ms } = await timed(downloadTemporalCli(tools, { baseUrl: host.url, timeoutMs: 500 }));
    expect(error).toBeInstanceOf(DownloadUnavailableError);
    expect((error as Error).message).toMatch(
      /^could not download the Temporal CLI from 127\.0\.0\.1:\d+ \(no answer within 0\.5 s\)\.$/,
    );
    expect(ms).toBeLessThan(2_000);
    expect(fs.existsSync(downloadedTemporalCliPath(tools))).toBe(false);
  });

  it('lets the mongod download give up within the timeout instead of the library’s minute-long retries', async () => {
    const saved = process.env.MONGOMS_DOWNLOAD_MIRROR;
    process.env.MONGOMS_DOWNLOAD_MIRROR = host.url;
    try {
      const { error, ms } = await timed(downloadMongod(tools, 500));
      expect(error).toBeInstanceOf(DownloadUnavailableError);
      expect((error as Error).message).toMatch(
        /^could not download mongod from 127\.0\.0\.1:\d+ \(no answer within 0\.5 s\)\.$/,
      );
      expect(ms).toBeLessThan(3_000);
    } finally {
      if (saved === undefined) delete process.env.MONGOMS_DOWNLOAD_MIRROR;
      else process.env.MONGOMS_DOWNLOAD_MIRROR = saved;
    }
  });
});

/** A stand-in for temporal.download: the info endpoint the SDK asks, and a tar.gz holding a script named like the CLI. */
describe('the Temporal CLI download, from a local host', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-cli-download-'));
  const tools = path.join(work, 'tools');
  const requests: string[] = [];
  let server: http.Server;
  let base = '';
  beforeAll(async () => {
    const content = path.join(work, 'content');
    fs.mkdirSync(content);
    fs.writeFileSync(path.join(content, 'temporal'), '#!/bin/sh\necho "temporal version test-cli"\n', { mode: 0o644 });
    const archive = path.join(work, 'cli.tar.gz');
    expect(spawnSync('tar', ['-czf', archive, '-C', content, 'temporal']).status).toBe(0);
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url?.startsWith('/cli/default?')) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ archiveUrl: `${base}/archives/temporal_cli.tar.gz`, fileToExtract: 'temporal' }));
      } else if (req.url === '/archives/temporal_cli.tar.gz') {
        fs.createReadStream(archive).pipe(res);
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('asks for the SDK’s default CLI for this platform, unpacks it executable into the tools folder, and reuses it', async () => {
    const binary = await downloadTemporalCli(tools, { baseUrl: base, timeoutMs: 2_000 });
    expect(binary).toBe(downloadedTemporalCliPath(tools));
    expect(binary).toContain(`temporal-sdk-typescript-${temporalSdkVersion()}`);
    const info = new URL(requests[0] ?? '', base).searchParams;
    expect(Object.fromEntries(info)).toEqual({
      arch: os.arch() === 'arm64' ? 'arm64' : 'amd64',
      platform: os.platform() === 'darwin' ? 'darwin' : 'linux',
      format: 'tar.gz',
      'sdk-name': 'sdk-typescript',
      'sdk-version': temporalSdkVersion(),
    });
    expect(spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe('temporal version test-cli');

    const seen = requests.length;
    expect(await downloadTemporalCli(tools, { baseUrl: base })).toBe(binary);
    expect(requests.length).toBe(seen);
    // Only the binary is left in the cache: no archive, no partial folder.
    expect(fs.readdirSync(tools)).toEqual([path.basename(path.dirname(binary))]);
  });

  it('refuses an answer that names no archive', async () => {
    const other = path.join(work, 'tools-2');
    await expect(downloadTemporalCli(other, { baseUrl: `${base}/nothing-here`, timeoutMs: 2_000 })).rejects.toThrow(
      /could not download the Temporal CLI from 127\.0\.0\.1:\d+ \(HTTP 404\)/,
    );
  });
});

/** A stand-in for fastdl.mongodb.org: any archive path gets a tar.gz with a script at bin/mongod, and its .md5. */
describe('the mongod download, from a local mirror', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-mongod-download-'));
  const requests: string[] = [];
  let server: http.Server;
  const saved = { ...process.env };
  beforeAll(async () => {
    const content = path.join(work, 'content', 'mongodb-linux-test', 'bin');
    fs.mkdirSync(content, { recursive: true });
    fs.writeFileSync(path.join(content, 'mongod'), '#!/bin/sh\necho "db version vtest"\n', { mode: 0o755 });
    const archive = path.join(work, 'mongodb.tgz');
    expect(spawnSync('tar', ['-czf', archive, '-C', path.join(work, 'content'), 'mongodb-linux-test']).status).toBe(0);
    const md5 = createHash('md5').update(fs.readFileSync(archive)).digest('hex');
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.method === 'HEAD') res.end();
      else if (req.url?.endsWith('.tgz.md5')) res.end(`${md5}  ${path.basename(req.url.slice(0, -4))}\n`);
      else if (req.url?.endsWith('.tgz')) {
        res.setHeader('content-length', fs.statSync(archive).size);
        fs.createReadStream(archive).pipe(res);
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.env.MONGOMS_DOWNLOAD_MIRROR = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    process.env.MONGOMS_DOWNLOAD_DIR = path.join(work, 'cache');
    process.env.MONGOMS_USE_HTTP = 'true';
  });
  afterAll(async () => {
    process.env = saved;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('fetches the archive mongodb-memory-server-core picks for this OS, checks its MD5, and caches bin/mongod', async () => {
    const mongod = await downloadMongod(path.join(work, 'tools'), 2_000);
    expect(mongod.startsWith(path.join(work, 'cache'))).toBe(true);
    expect(spawnSync(mongod, [], { encoding: 'utf8' }).stdout.trim()).toBe('db version vtest');
    expect(requests.some((url) => /\/linux\/mongodb-linux-.*\.tgz$/.test(url))).toBe(true);
    expect(requests.some((url) => url.endsWith('.tgz.md5'))).toBe(true);

    const seen = requests.length;
    expect(await downloadMongod(path.join(work, 'tools'), 2_000)).toBe(mongod);
    expect(requests.length).toBe(seen);
  });
});
