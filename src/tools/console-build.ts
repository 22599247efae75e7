import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../config';

/** The console's sources (its own package.json and lock) and where Vite writes the build. */
export const CONSOLE_DIR = path.join(ROOT_DIR, 'console');
export const CONSOLE_DIST = path.join(CONSOLE_DIR, 'dist');

/** Newest modification time under a path (file or folder), 0 when it does not exist. */
function newest(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(target).reduce((max, name) => Math.max(max, newest(path.join(target, name))), stat.mtimeMs);
}

const SOURCES = ['src', 'index.html', 'package-lock.json', 'vite.config.ts', 'tsconfig.json', 'postcss.config.cjs'];

/** True when a build exists and no source changed since it was made (a pull, an edit). */
export function consoleBuildIsCurrent(dir = CONSOLE_DIR): boolean {
  const built = path.join(dir, 'dist', 'index.html');
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  return SOURCES.every((name) => newest(path.join(dir, name)) <= builtAt);
}

function npm(args: string[], cwd: string): void {
  // stdout to stderr: `npm start`'s stdout is the service's JSON log.
  const result = spawnSync('npm', args, { cwd, stdio: ['ignore', process.stderr, 'inherit'] });
  if (result.status !== 0)
    throw new Error(
      `npm ${args.join(' ')} in ${cwd} failed with ${result.error?.message ?? `exit code ${result.status}`}`,
    );
}

/**
 * Installs the console's packages from its lock (when missing or older than the lock) and
 * builds it with Vite, unless the build is current. Every package comes from the npm
 * registry at install time; the build loads nothing from the internet at run time.
 */
export function ensureConsoleBuild(dir = CONSOLE_DIR): 'current' | 'built' {
  if (consoleBuildIsCurrent(dir)) return 'current';
  const installed = path.join(dir, 'node_modules', '.package-lock.json');
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(path.join(dir, 'package-lock.json')).mtimeMs) {
    npm(['ci', '--no-audit', '--no-fund'], dir);
  }
  npm(['run', 'build'], dir);
  return 'built';
}
