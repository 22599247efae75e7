import path from 'node:path';
import { createAppKey, revokeAppKey } from '../auth/app-keys';
import { loadConfig } from '../config';
import { connectDatabase } from '../db/connect';
import { isPortOpen } from '../embedded/managed-process';
import { startMongoServer } from '../embedded/mongo-server';

const USAGE = `Usage:
  npm run app-key -- create <name>   create a key; prints its id and token once
  npm run app-key -- list            list keys (never tokens)
  npm run app-key -- revoke <id>     revoke a key

Uses MONGO_URL, else the local database of \`npm start\` (started for the command if it is not running).`;

/** Manages application keys straight in the database, for the first key before any exists. */
async function main(argv: string[]): Promise<number> {
  const [command, arg] = argv;
  if (!command || !['create', 'list', 'revoke'].includes(command) || (command !== 'list' && !arg)) {
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
      const { appId, appToken } = await createAppKey(models.AppKey, arg!);
      process.stdout.write(`X-App-Id:    ${appId}\nX-App-Token: ${appToken}\nThe token is shown only now; store it safely.\n`);
    } else if (command === 'list') {
      for (const key of await models.AppKey.find({}, { tokenHash: 0 }).lean()) {
        process.stdout.write(`${key._id}\t${key.name}\t${key.createdAt?.toISOString() ?? ''}\n`);
      }
    } else if (!(await revokeAppKey(models.AppKey, arg!))) {
      process.stderr.write(`No key with id ${arg}\n`);
      return 1;
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
