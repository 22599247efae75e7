import path from 'node:path';
import { parseArgs } from 'node:util';
import { createAppKey, revokeAppKey } from '../auth/app-keys';
import { ROLES, storedRole, type Role } from '../auth/roles';
import { loadConfig } from '../config';
import { connectDatabase } from '../db/connect';
import { isPortOpen } from '../embedded/managed-process';
import { startMongoServer } from '../embedded/mongo-server';
import { LIVE_KEY } from '../models/app-key';

const USAGE = `Usage:
  npm run app-key -- create <name> [--role admin|write|read]
                                     create a key (admin unless --role says otherwise);
                                     prints its id and token once
  npm run app-key -- list            list live keys with their roles (never tokens)
  npm run app-key -- revoke <id>     revoke a key for good (never the last admin key)

Uses MONGO_URL, else the local database of \`npm start\` (started for the command if it is not running).`;

const parseCliArgs = (argv: string[]) =>
  parseArgs({ args: argv, allowPositionals: true, options: { role: { type: 'string' } } });

/** Manages application keys straight in the database, for the first key before any exists. */
async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, arg] = parsed.positionals;
  // The CLI is how the first key is made, by someone who holds the database anyway: it must be able to do everything.
  const role = (parsed.values.role ?? 'admin') as Role;
  if (
    !command ||
    !['create', 'list', 'revoke'].includes(command) ||
    (command !== 'list' && !arg) ||
    !ROLES.includes(role)
  ) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  let stopServer: (() => Promise<void>) | undefined;
  let url = config.MONGO_URL;
  if (!url) {
    if (!(await isPortOpen('127.0.0.1', config.MONGO_PORT))) {
      const server = await startMongoServer({
        kind: config.EMBEDDED_MONGO,
        toolsDir: config.TOOLS_DIR,
        port: config.MONGO_PORT,
        dataDir: config.DATA_DIR,
        runDir: path.join(config.DATA_DIR, 'run'),
      });
      stopServer = () => server.process.stop();
    }
    url = `mongodb://127.0.0.1:${config.MONGO_PORT}`;
  }
  const { db, models } = await connectDatabase(url, config.MONGO_DB);
  try {
    if (command === 'create') {
      const { appId, appToken } = await createAppKey(models.AppKey, arg!, role);
      process.stdout.write(
        `X-App-Id:    ${appId}\nX-App-Token: ${appToken}\nRole:        ${role}\nThe token is shown only now; store it safely.\n`,
      );
    } else if (command === 'list') {
      for (const key of await models.AppKey.find(LIVE_KEY, { tokenHash: 0 }).lean()) {
        process.stdout.write(
          `${key._id}\t${storedRole(key.role)}\t${key.name}\t${key.createdAt?.toISOString() ?? ''}\n`,
        );
      }
    } else {
      const outcome = await revokeAppKey(models, arg!);
      if (outcome !== 'revoked') {
        process.stderr.write(
          outcome === 'not_found'
            ? `No live key with id ${arg}\n`
            : 'That is the last admin key: create another admin key first.\n',
        );
        return 1;
      }
    }
    return 0;
  } finally {
    await db.close();
    await stopServer?.();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  },
);
