import path from 'node:path';
import { DOWNLOAD_CONNECT_TIMEOUT_MS, DownloadUnavailableError, probeHost } from './download';

/** Where mongodb-memory-server keeps the mongod it downloads: MONGOMS_DOWNLOAD_DIR, else the tools folder. */
export function mongodDownloadDir(toolsDir: string): string {
  return process.env.MONGOMS_DOWNLOAD_DIR ?? path.join(path.resolve(toolsDir), 'mongodb-binaries');
}

/**
 * A real `mongod` (the version mongodb-memory-server-core pins, or MONGOMS_VERSION), fetched
 * once by that library for this OS and cached. The library's own request waits up to a minute
 * and retries, so the host is probed first with a short timeout: offline, the next way is taken at once.
 */
export async function downloadMongod(toolsDir: string, timeoutMs = DOWNLOAD_CONNECT_TIMEOUT_MS): Promise<string> {
  // Loaded here, not at start-up: only a machine without mongod on PATH and without MONGO_URL needs it.
  const { DryMongoBinary, MongoBinary } = await import('mongodb-memory-server-core');
  const downloadDir = mongodDownloadDir(toolsDir);
  const version = process.env.MONGOMS_VERSION;
  const cached = await DryMongoBinary.locateBinary({ version: version ?? (await defaultVersion()), downloadDir }).catch(
    () => undefined,
  );
  if (cached) return cached;
  const host = process.env.MONGOMS_DOWNLOAD_URL ?? process.env.MONGOMS_DOWNLOAD_MIRROR ?? 'https://fastdl.mongodb.org';
  await probeHost(host, 'mongod', timeoutMs);
  try {
    return await MongoBinary.getPath({ downloadDir, ...(version ? { version } : {}) });
  } catch (err) {
    throw new DownloadUnavailableError(`could not download mongod: ${(err as Error).message.split('\n')[0]}`);
  }
}

async function defaultVersion(): Promise<string> {
  const { DEFAULT_VERSION } = await import('mongodb-memory-server-core/lib/util/resolveConfig');
  return DEFAULT_VERSION;
}
