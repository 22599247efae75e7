import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOWNLOAD_CONNECT_TIMEOUT_MS, DownloadUnavailableError, fetchOrUnavailable, saveBody } from './download';

/** The host the Temporal SDKs download their dev server from (sdk-core ephemeral_server/mod.rs). */
export const TEMPORAL_DOWNLOAD_BASE = 'https://temporal.download';

/** The SDK version the download is keyed on, as `TestWorkflowEnvironment.createLocal` sends it. */
export function temporalSdkVersion(): string {
  const file = require.resolve('@temporalio/core-bridge/package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Cached like the SDK names it (`temporal-sdk-typescript-<version>`), but in the tools folder: the SDK's $TMPDIR copy expires after a day. */
export function downloadedTemporalCliPath(toolsDir: string, sdkVersion = temporalSdkVersion()): string {
  return path.join(
    path.resolve(toolsDir),
    `temporal-sdk-typescript-${sdkVersion}`,
    os.platform() === 'win32' ? 'temporal.exe' : 'temporal',
  );
}

export interface TemporalDownloadOptions {
  baseUrl?: string;
  timeoutMs?: number;
  sdkVersion?: string;
}

/**
 * Fetches the Temporal CLI the way the TypeScript SDK's ephemeral server does: ask
 * temporal.download for the SDK's default CLI for this platform, then extract the one
 * file the answer names from the archive. Done here rather than through core so that an
 * unreachable host fails within a bounded time (core's client has no timeout) and the
 * binary outlives the test environment.
 */
export async function downloadTemporalCli(toolsDir: string, options: TemporalDownloadOptions = {}): Promise<string> {
  const {
    baseUrl = TEMPORAL_DOWNLOAD_BASE,
    timeoutMs = DOWNLOAD_CONNECT_TIMEOUT_MS,
    sdkVersion = temporalSdkVersion(),
  } = options;
  const target = downloadedTemporalCliPath(toolsDir, sdkVersion);
  if (fs.existsSync(target)) return target;
  const arch = { x64: 'amd64', arm64: 'arm64' }[os.arch() as string];
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[os.platform() as string];
  if (!arch || !platform)
    throw new DownloadUnavailableError(`no Temporal CLI download for ${os.platform()}/${os.arch()}.`);
  const query = new URLSearchParams({
    arch,
    platform,
    format: 'tar.gz',
    'sdk-name': 'sdk-typescript',
    'sdk-version': sdkVersion,
  });
  const info = (await (
    await fetchOrUnavailable(`${baseUrl}/cli/default?${query}`, 'the Temporal CLI', timeoutMs)
  ).json()) as {
    archiveUrl?: string;
    fileToExtract?: string;
  };
  if (!info.archiveUrl?.endsWith('.tar.gz') || !info.fileToExtract) {
    throw new DownloadUnavailableError(
      `could not download the Temporal CLI: unexpected answer from ${new URL(baseUrl).host}.`,
    );
  }
  fs.mkdirSync(path.dirname(path.dirname(target)), { recursive: true });
  const work = fs.mkdtempSync(`${path.dirname(target)}.partial-`);
  try {
    const archive = path.join(work, 'cli.tar.gz');
    await saveBody(
      await fetchOrUnavailable(info.archiveUrl, 'the Temporal CLI archive', timeoutMs),
      archive,
      'the Temporal CLI archive',
    );
    const untar = spawnSync('tar', ['-xzf', archive, '-C', work, info.fileToExtract], { encoding: 'utf8' });
    const extracted = path.join(work, info.fileToExtract);
    if (untar.status !== 0 || !fs.existsSync(extracted)) {
      throw new DownloadUnavailableError(
        `could not unpack the Temporal CLI archive: ${untar.stderr?.trim() || untar.error?.message}.`,
      );
    }
    fs.chmodSync(extracted, 0o755);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Renamed into place last, so a killed download never leaves a binary that looks done.
    fs.renameSync(extracted, target);
    return target;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
