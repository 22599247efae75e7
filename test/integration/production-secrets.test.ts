import { spawn } from 'node:child_process';
import { ROOT_DIR } from '../../src/config';
import { deploymentSecrets } from '../helpers/deployment-secrets';

/** Runs an entry point the way the Dockerfile does and answers how it ended. */
function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/SECRET|_KEY$|NODE_ENV/.test(k)) base[k] = v;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: ROOT_DIR,
      env: { ...base, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('the shared secrets a production or split deployment needs', () => {
  const servers = {
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
    MONGO_URL: process.env.TEST_MONGO_URL!,
    MONGO_DB: 'never_written',
  };

  it.each(['src/entry/api.ts', 'src/entry/worker.ts'])(
    '%s run apart refuses to start without them, naming each',
    async (entry) => {
      const { code, stderr } = await run(entry, servers);
      expect(code).toBe(1);
      expect(stderr).toContain('the API and the worker run as separate processes');
      for (const name of [
        'WEBHOOK_SIGNING_SECRET',
        'LINK_SIGNING_SECRET',
        'CHANNEL_SECRETS_KEY',
        'PAYLOAD_ENCRYPTION_KEY',
      ])
        expect(stderr).toContain(name);
    },
  );

  it('refuses `npm start` (API and worker together) with NODE_ENV=production and one secret missing', async () => {
    const secrets = deploymentSecrets();
    delete secrets.LINK_SIGNING_SECRET;
    const { code, stderr } = await run('src/main.ts', { ...servers, ...secrets, NODE_ENV: 'production' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/NODE_ENV is production.*set LINK_SIGNING_SECRET\b/);
    expect(stderr).not.toContain('WEBHOOK_SIGNING_SECRET,');
    // The refusal never echoes the secrets it was given.
    expect(stderr).not.toContain(secrets.WEBHOOK_SIGNING_SECRET);
  });

  it('refuses a signing secret shorter than 32 characters, naming it', async () => {
    const { code, stderr } = await run('src/entry/worker.ts', {
      ...servers,
      ...deploymentSecrets({ WEBHOOK_SIGNING_SECRET: 'too-short' }),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/WEBHOOK_SIGNING_SECRET: at least 32 characters/);
  });
});
