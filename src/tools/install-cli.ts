import { loadConfig } from '../config';
import { ensureConsoleBuild } from './console-build';
import { DEFAULT_EMBEDDED_MONGO, ensureEmbeddedMongo, ensureTemporalCli, MissingToolError } from './install';
import { which } from './which';

/**
 * `npm install` runs this (postinstall). A missing toolchain is a warning here, not a
 * failure: the user may point TEMPORAL_ADDRESS / MONGO_URL at servers of their own, and
 * `npm start` repeats the check and fails with the same message if they have not.
 * It also builds the web console (console/, its own packages) unless its build is current.
 * With `--strict` (CI) a missing tool or a failed console build fails.
 */
function main(): void {
  const strict = process.argv.includes('--strict');
  const config = loadConfig();
  const steps: Array<[string, () => unknown]> = [];
  if (!config.TEMPORAL_ADDRESS) steps.push(['Temporal CLI', () => ensureTemporalCli(config.TOOLS_DIR)]);
  if (!config.MONGO_URL && !(config.EMBEDDED_MONGO === 'auto' && which('mongod'))) {
    const kind = config.EMBEDDED_MONGO === 'auto' || config.EMBEDDED_MONGO === 'mongod' ? DEFAULT_EMBEDDED_MONGO : config.EMBEDDED_MONGO;
    steps.push([kind, () => ensureEmbeddedMongo(config.TOOLS_DIR, kind)]);
  }
  for (const [name, step] of steps) {
    try {
      step();
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

main();
