import path from 'node:path';
import { databaseInUrl, loadConfig, missingProductionSecrets, ROOT_DIR } from '../../src/config';

describe('loadConfig', () => {
  it('gives every setting a default that runs locally', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3000,
      TEMPORAL_PORT: 7233,
      TEMPORAL_UI_PORT: 8233,
      MONGO_DB: 'promo_engine',
      EMBEDDED_MONGO: 'auto',
      EMBEDDED_TEMPORAL: 'auto',
      IMPORT_MAX_BYTES: 200 * 1024 * 1024,
      DATA_DIR: path.join(ROOT_DIR, '.data'),
    });
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.MONGO_URL).toBeUndefined();
  });

  it('treats an empty variable as unset, so `MONGO_URL=` means "embedded"', () => {
    const config = loadConfig({ MONGO_URL: '', TEMPORAL_ADDRESS: '  ' });
    expect(config.MONGO_URL).toBeUndefined();
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ EMBEDDED_MONGO: 'sqlite' })).toThrow(/EMBEDDED_MONGO/);
    expect(() => loadConfig({ EMBEDDED_TEMPORAL: 'docker' })).toThrow(/EMBEDDED_TEMPORAL/);
  });

  it('reads the logging and metrics settings: LOG_FORMAT one of auto/pretty/json, metrics ports off when unset or empty', () => {
    expect(loadConfig({})).toMatchObject({ LOG_FORMAT: 'auto' });
    expect(loadConfig({}).TEMPORAL_METRICS_PORT).toBeUndefined();
    expect(
      loadConfig({ LOG_FORMAT: 'json', TEMPORAL_METRICS_PORT: '9465', WORKER_METRICS_PORT: '9464' }),
    ).toMatchObject({
      LOG_FORMAT: 'json',
      TEMPORAL_METRICS_PORT: 9465,
      WORKER_METRICS_PORT: 9464,
    });
    expect(loadConfig({ WORKER_METRICS_PORT: '', METRICS_TOKEN: ' ' })).toMatchObject({
      WORKER_METRICS_PORT: undefined,
      METRICS_TOKEN: undefined,
    });
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
    expect(() => loadConfig({ TEMPORAL_METRICS_PORT: '0' })).toThrow(/TEMPORAL_METRICS_PORT/);
  });

  it('forces one way to get each server', () => {
    expect(loadConfig({ EMBEDDED_MONGO: 'mongod-download', EMBEDDED_TEMPORAL: 'temporal-download' })).toMatchObject({
      EMBEDDED_MONGO: 'mongod-download',
      EMBEDDED_TEMPORAL: 'temporal-download',
    });
  });

  it('reads PROVIDER_BASE_URLS as channel type → origin, and refuses anything else', () => {
    expect(loadConfig({}).PROVIDER_BASE_URLS).toEqual({});
    expect(
      loadConfig({ PROVIDER_BASE_URLS: ' sendgrid=http://127.0.0.1:4010/ , cm_telecom=https://cm-sandbox.example ' })
        .PROVIDER_BASE_URLS,
    ).toEqual({
      sendgrid: 'http://127.0.0.1:4010',
      cm_telecom: 'https://cm-sandbox.example',
    });
    for (const bad of [
      'sendgrid',
      'sendgrid=ftp://x',
      'sendgrid=https://u:p@x.example',
      'sendgrid=https://x.example/path',
      '=https://x.example',
    ]) {
      expect(() => loadConfig({ PROVIDER_BASE_URLS: bad })).toThrow(
        /PROVIDER_BASE_URLS: .* is not <channel type>=<http\(s\) origin>/,
      );
    }
  });

  it('refuses APP_ID without APP_TOKEN', () => {
    expect(() => loadConfig({ APP_ID: 'a' })).toThrow('APP_ID and APP_TOKEN must be set together');
  });

  it('takes the database name from MONGO_DB, else from MONGO_URL', () => {
    expect(loadConfig({ MONGO_URL: 'mongodb://h:27017/shop' }).MONGO_DB).toBe('shop');
    expect(loadConfig({ MONGO_URL: 'mongodb://h:27017/shop', MONGO_DB: 'other' }).MONGO_DB).toBe('other');
  });
});

describe('databaseInUrl', () => {
  it.each([
    ['mongodb://h1:1,h2:2/promo?replicaSet=rs0', 'promo'],
    ['mongodb+srv://user:p%40ss@cluster.example/analytics', 'analytics'],
    ['mongodb://localhost:27017', undefined],
    ['mongodb://localhost:27017/?tls=true', undefined],
  ])('%s -> %s', (url, expected) => {
    expect(databaseInUrl(url)).toBe(expected);
  });
});

describe('secrets in the configuration', () => {
  const strong = 'x'.repeat(32);
  const key = 'ab'.repeat(32);
  const all = {
    WEBHOOK_SIGNING_SECRET: strong,
    LINK_SIGNING_SECRET: strong,
    CHANNEL_SECRETS_KEY: key,
    PAYLOAD_ENCRYPTION_KEY: key,
  };

  it('refuses an APP_TOKEN shorter than 32 characters', () => {
    expect(() => loadConfig({ APP_ID: 'ops', APP_TOKEN: 'change-me' })).toThrow(/APP_TOKEN: at least 32 characters/);
    expect(loadConfig({ APP_ID: 'ops', APP_TOKEN: strong }).APP_TOKEN).toBe(strong);
  });

  it('refuses short signing secrets and previous secrets', () => {
    for (const name of [
      'WEBHOOK_SIGNING_SECRET',
      'LINK_SIGNING_SECRET',
      'WEBHOOK_SIGNING_SECRET_PREVIOUS',
      'LINK_SIGNING_SECRET_PREVIOUS',
    ]) {
      expect(() => loadConfig({ [name]: 'short' })).toThrow(new RegExp(`${name}: at least 32`));
    }
  });

  it('needs all four shared secrets in production or when API and worker run apart, and none otherwise', () => {
    const together = { api: true, worker: true };
    expect(missingProductionSecrets(loadConfig({}), together)).toBeUndefined();
    expect(missingProductionSecrets(loadConfig({}), { api: true, worker: false })).toMatch(
      /separate processes.*WEBHOOK_SIGNING_SECRET, LINK_SIGNING_SECRET, CHANNEL_SECRETS_KEY, PAYLOAD_ENCRYPTION_KEY/,
    );
    expect(missingProductionSecrets(loadConfig({ NODE_ENV: 'production' }), together)).toMatch(
      /NODE_ENV is production/,
    );
    expect(missingProductionSecrets(loadConfig({ NODE_ENV: 'production', ...all }), together)).toBeUndefined();
    // A malformed key never gets this far: parsing the environment refuses it, in every mode.
    expect(() => loadConfig({ ...all, PAYLOAD_ENCRYPTION_KEY: 'not-32-bytes' })).toThrow(
      /PAYLOAD_ENCRYPTION_KEY: 32 bytes as 64 hex characters or base64/,
    );
  });
});
