import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * A server process this service started and must stop. Its output goes to a log file
 * and its pid to a pid file, so a later start can clean up after a parent that was
 * killed with SIGKILL (the one case where we get no chance to stop our children).
 */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  /** Folder for `<name>.log` and `<name>.pid`. */
  runDir: string;
  /** The process counts as started once this TCP port accepts connections. */
  port: number;
  host?: string;
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export async function startManagedProcess(options: StartOptions): Promise<ManagedProcess> {
  const { name, runDir, port, host = '127.0.0.1', startTimeoutMs = 120_000 } = options;
  // Logs and pid files are the service's own: nobody else on the machine reads them.
  fs.mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const pidFile = path.join(runDir, `${name}.pid`);
  const logFile = path.join(runDir, `${name}.log`);
  await stopStale(pidFile);
  if (await isPortOpen(host, port)) {
    throw new Error(
      `Cannot start ${name}: ${host}:${port} is already in use. Stop what listens there or choose another port.`,
    );
  }

  const log = fs.openSync(logFile, 'a', 0o600);
  const child = spawn(options.command, options.args, {
    stdio: ['ignore', log, log],
    env: { ...process.env, ...options.env },
  });
  fs.closeSync(log);
  if (child.pid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new Error(`Cannot start ${name} (${options.command}): ${error.message}`);
  }
  fs.writeFileSync(pidFile, `${child.pid}\n${options.command}\n`, { mode: 0o600 });
  const managed = toManaged(name, child, pidFile, logFile);

  try {
    await waitForPort(host, port, startTimeoutMs, child);
  } catch (err) {
    await managed.stop();
    throw new Error(`${name} did not start: ${(err as Error).message}. Its log: ${logFile}\n${tail(logFile)}`);
  }
  return managed;
}

function toManaged(name: string, child: ChildProcess, pidFile: string, logFile: string): ManagedProcess {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    name,
    pid: child.pid as number,
    logFile,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // Servers flush their stores on SIGTERM; give them time before forcing.
        const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(forced);
      }
      fs.rmSync(pidFile, { force: true });
    },
  };
}

/**
 * Stops a server left by an earlier run whose parent was killed before it could stop it.
 * SIGTERM first: a database killed outright may lose its last acknowledged writes.
 */
async function stopStale(pidFile: string): Promise<void> {
  let content: string;
  try {
    content = fs.readFileSync(pidFile, 'utf8');
  } catch {
    return;
  }
  const [pidText, command] = content.split('\n');
  const pid = Number(pidText);
  const isOurs = () =>
    Number.isInteger(pid) && pid > 0 && !!command && !!processCommand(pid)?.includes(path.basename(command));
  if (isOurs()) {
    signal(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (isOurs() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isOurs()) signal(pid, 'SIGKILL');
  }
  fs.rmSync(pidFile, { force: true });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function processCommand(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

export function isPortOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(host: string, port: number, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`it exited with ${child.exitCode ?? child.signalCode}`);
    }
    if (await isPortOpen(host, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${host}:${port} did not accept connections within ${timeoutMs} ms`);
}

/** A free TCP port on loopback, for tests and for servers that need a second port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
