import { ensureConsoleBuild } from './console-build';

/** `npm run build:console`: (re)builds the web console when its sources changed. */
process.stderr.write(
  `[console] ${ensureConsoleBuild() === 'current' ? 'build is current' : 'built into console/dist'}\n`,
);
