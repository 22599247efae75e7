import { loadConfig } from '../config';
import { chooseMongoServer } from '../embedded/mongo-server';
import { describeChoice } from '../embedded/server-choice';
import { chooseTemporalCli } from '../embedded/temporal-dev-server';
import { ensureConsoleBuild } from './console-build';
import { MissingToolError } from './install';

/**
 * `npm install` runs this (postinstall). It gets each server the first way that works, in
 * the order `npm start` uses (src/embedded/*-server.ts): one already here, a download, and a
 * build from source only when nothing could be fetched. A missing toolchain is a warning
 * here, not a failure: the user may point TEMPORAL_ADDRESS / MONGO_URL at servers of their
 * own, and `npm start` repeats the choice and fails with the same message if they have not.
 * It also builds the web console (console/, its own packages) unless its build is current.
 * With `--strict` (CI) a missing tool or a failed console build fails.
 */
async function main(): Promise<void> {
  const strict = process.argv.includes('--strict');
  const config = loadConfig();
  const steps: Array<[string, () => Promise<{ kind: string; skipped: Array<{ kind: string; reason: string }> }>]> = [];
  if (!config.TEMPORAL_ADDRESS)
    steps.push(['Temporal CLI', () => chooseTemporalCli(config.EMBEDDED_TEMPORAL, config.TOOLS_DIR)]);
  if (!config.MONGO_URL)
    steps.push(['MongoDB server', () => chooseMongoServer(config.EMBEDDED_MONGO, config.TOOLS_DIR)]);
  for (const [name, step] of steps) {
    try {
      process.stderr.write(`[tools] ${name}: ${describeChoice(await step())}\n`);
    } catch (err) {
      if (!(err instanceof MissingToolError) || strict) throw err;
      process.stderr.write(`[tools] warning: ${name} not installed. ${err.message}\n`);
    }
  }
  // The API works without the console; `npm start` tries the build again and says why it failed.
  try {
    ensureConsoleBuild();
  } catch (err) {
    if (strict) throw err;
    process.stderr.write(`[console] warning: the web console was not built. ${(err as Error).message}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
