import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT_DIR } from '../../src/config';
import { parse } from 'yaml';
import { which } from '../../src/tools/which';

const PAYLOAD_KEY = 'ab'.repeat(32);

/** `docker compose` (v2 plugin) or `docker-compose` (v1, which .ci/run installs from Debian). */
function composeCommand(): string[] | undefined {
  if (which('docker') && spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (which('docker-compose')) return ['docker-compose'];
  return undefined;
}

const compose = composeCommand();
// No Docker engine runs on this machine kind; `config` only parses and resolves the file.
const describeIfCompose = compose ? describe : describe.skip;
if (!compose)
  console.warn(
    'skipping docker/compose.yml check: neither `docker compose` nor `docker-compose` is installed (.ci/run installs it)',
  );

const SECRETS = {
  WEBHOOK_SIGNING_SECRET: 'w'.repeat(64),
  LINK_SIGNING_SECRET: 'l'.repeat(64),
  CHANNEL_SECRETS_KEY: 'c'.repeat(64),
  PAYLOAD_ENCRYPTION_KEY: 'e'.repeat(64),
};

function composeConfig(env: NodeJS.ProcessEnv) {
  const [command, ...prefix] = compose!;
  return spawnSync(command!, [...prefix, '-f', path.join(ROOT_DIR, 'docker', 'compose.yml'), 'config'], {
    env,
    encoding: 'utf8',
  });
}

describeIfCompose('docker/compose.yml', () => {
  it('parses, and wires the api and worker to the Temporal server and MongoDB it runs', () => {
    const result = composeConfig({
      ...process.env,
      ...SECRETS,
      APP_ID: 'compose-app',
      APP_TOKEN: 'compose-token-0123456789abcdef0123456789',
    });
    expect(result.status).toBe(0);
    // Both compose versions print the resolved file as YAML, services indented by two spaces.
    for (const service of ['postgresql', 'temporal', 'temporal-ui', 'mongo', 'api', 'worker', 'prometheus', 'grafana'])
      expect(result.stdout).toMatch(new RegExp(`^  ${service}:$`, 'm'));
    expect(result.stdout).toContain('TEMPORAL_ADDRESS: temporal:7233');
    expect(result.stdout).toContain('MONGO_URL: mongodb://mongo:27017/promo_engine?replicaSet=rs0');
    expect(result.stdout).toContain('APP_ID: compose-app');
    expect(result.stdout).toContain('src/entry/worker.ts');
    // API and worker get the same shared secrets (one YAML anchor), and run as production.
    expect(result.stdout).toContain('NODE_ENV: production');
    for (const [name, value] of Object.entries(SECRETS))
      expect(result.stdout.split(`${name}: ${value}`).length - 1).toBe(2);
  });

  it.each(Object.keys(SECRETS))('refuses to run without %s', (name) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...SECRETS,
      APP_ID: 'compose-app',
      APP_TOKEN: 'compose-token-0123456789abcdef0123456789',
    };
    delete env[name];
    const result = composeConfig(env);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(name);
  });

  it('passes the payload key to api and worker, and publishes Temporal on no outside interface', () => {
    const result = composeConfig({
      ...process.env,
      ...SECRETS,
      APP_ID: 'compose-app',
      APP_TOKEN: 'compose-token-0123456789abcdef0123456789',
      PAYLOAD_ENCRYPTION_KEY: PAYLOAD_KEY,
    });
    expect(result.status).toBe(0);
    const services = (
      parse(result.stdout) as { services: Record<string, { environment?: Record<string, string>; ports?: unknown[] }> }
    ).services;
    for (const name of ['api', 'worker']) expect(services[name]!.environment!.PAYLOAD_ENCRYPTION_KEY).toBe(PAYLOAD_KEY);
    expect(services.temporal!.ports ?? []).toEqual([]);
    // v1 prints short syntax ("127.0.0.1:8233:8080/tcp"), v2 long syntax ({host_ip, published, target}).
    const uiPorts = (services['temporal-ui']!.ports ?? []).map((p) => (typeof p === 'string' ? p : JSON.stringify(p)));
    expect(uiPorts.length).toBeGreaterThan(0);
    for (const port of uiPorts) expect(port).toMatch(/^127\.0\.0\.1:|"host_ip":"127\.0\.0\.1"/);
    expect(services['temporal-ui']!.environment!.TEMPORAL_CODEC_ENDPOINT).toBe('http://127.0.0.1:3000/codec');
  });

  it('refuses to run without the first admin key', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...SECRETS };
    delete env.APP_ID;
    delete env.APP_TOKEN;
    const result = composeConfig(env);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('APP_ID');
  });
});
