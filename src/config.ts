import path from 'node:path';
import { z } from 'zod';
import { parseSecretsKey } from './channels/secrets';

/** Repository root: config paths default under it so `npm start` needs no set-up. */
export const ROOT_DIR = path.resolve(__dirname, '..');

const optionalString = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string())
  .optional()
  .transform((s) => (s ? s : undefined));

/** Shortest token or signing secret accepted: 32 characters of `openssl rand -hex 32` hold 128 bits. */
export const MIN_SECRET_LENGTH = 32;

/** A signing secret: optional, but never a short one. */
const signingSecret = optionalString.refine(
  (s) => s === undefined || s.length >= MIN_SECRET_LENGTH,
  `at least ${MIN_SECRET_LENGTH} characters`,
);

/** A 32-byte AES key as 64 hex characters or base64 (src/channels/secrets.ts parses it). */
const aesKey = optionalString.refine(
  (s) => s === undefined || parseSecretsKey(s) !== undefined,
  '32 bytes as 64 hex characters or base64',
);

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A port that turns something on; unset or empty leaves it off. */
const optionalPort = optionalString
  .transform((s) => (s === undefined ? undefined : Number(s)))
  .pipe(z.number().int().min(1).max(65535).optional());

const envSchema = z.object({
  /** `production` makes the secrets below mandatory (see `missingProductionSecrets`). */
  NODE_ENV: optionalString,
  HOST: z.string().default('127.0.0.1'),
  PORT: port(3000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** `auto`: pretty lines when stdout is a terminal, JSON lines otherwise. */
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  /** Set: `/metrics` asks for `Authorization: Bearer <METRICS_TOKEN>`. Unset: it is open, for a Prometheus on a private network. */
  METRICS_TOKEN: optionalString,
  /** Set: the worker's Temporal SDK metrics are served for Prometheus on this port (`/metrics`). */
  TEMPORAL_METRICS_PORT: optionalPort,
  /** Set, in a worker run as its own process: its engine and Node metrics are served for Prometheus on this port (`/metrics`). */
  WORKER_METRICS_PORT: optionalPort,
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('promo-engine'),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  /** Web UI of an external Temporal (with TEMPORAL_ADDRESS), for the console's links to workflows. */
  TEMPORAL_UI_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  MONGO_URL: optionalString,
  MONGO_PORT: port(27017),
  /** Database name; defaults to the one in MONGO_URL, else promo_engine. */
  MONGO_DB: optionalString,
  /** Forces one way to get the database server; `auto` takes the first that works of mongod on PATH, a downloaded mongod, mongo-java-server, FerretDB. */
  EMBEDDED_MONGO: z.enum(['auto', 'mongod', 'mongod-download', 'mongo-java-server', 'ferretdb']).default('auto'),
  /** Forces one way to get the Temporal CLI; `auto` takes the first that works of one on PATH, the SDK's download, the go install build. */
  EMBEDDED_TEMPORAL: z.enum(['auto', 'temporal', 'temporal-download', 'temporal-build']).default('auto'),
  /** JVM heap of the embedded mongo-java-server (it keeps its working set in memory): ~512m per 100k documents. */
  EMBEDDED_MONGO_HEAP: z
    .string()
    .regex(/^\d+[mg]$/, 'a JVM size such as 512m or 4g')
    .default('512m'),
  DATA_DIR: z.string().default(path.join(ROOT_DIR, '.data')),
  TOOLS_DIR: z.string().default(path.join(ROOT_DIR, '.tools')),
  APP_ID: optionalString,
  /** The token of the APP_ID admin key: at least 32 characters (`openssl rand -hex 32` makes a good one). */
  APP_TOKEN: optionalString.refine(
    (s) => s === undefined || s.length >= MIN_SECRET_LENGTH,
    `at least ${MIN_SECRET_LENGTH} characters`,
  ),
  REQUEST_BODY_LIMIT: z.string().default('1mb'),
  /**
   * Behind a reverse proxy: Express's `trust proxy` value (`loopback`, a hop count such as `1`,
   * or addresses / CIDRs), so client addresses (throttling, logs) and HTTPS (HSTS) come from
   * X-Forwarded-For / X-Forwarded-Proto. Unset, those headers are ignored.
   */
  TRUST_PROXY: optionalString,
  /** Seconds between runs of the Temporal Schedule that re-evaluates date-dependent segments (daily by default). */
  SEGMENT_REFRESH_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(31 * 86_400)
    .default(86_400),
  /** Seconds a manual distribution waits before sending, so it can be edited or cancelled (the seed's 10 minutes). */
  DISTRIBUTION_GRACE_PERIOD_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(600),
  /** Built-in email channel: an SMTP URL (`smtp://user:pass@host:587`); unset, mail is written to DATA_DIR/mail as .eml files. */
  SMTP_URL: optionalString,
  /**
   * Refuse to send over `smtp://` unless the server upgrades the connection with STARTTLS
   * (nodemailer's requireTLS). `false` only for a relay on a trusted network; `smtps://` is TLS from the start.
   */
  SMTP_REQUIRE_TLS: z.stringbool().default(true),
  MAIL_FROM: z.string().default('Promo Engine <promo@localhost>'),
  /** Who is told by email when a distribution stops (e.g. its code pool ran out). */
  OPERATOR_EMAIL: optionalString,
  /** Signs webhook channel requests (HMAC-SHA256); unset, a random key is made per process and logged as missing. */
  WEBHOOK_SIGNING_SECRET: signingSecret,
  /** During a rotation, the secret being replaced: requests also carry X-Promo-Signature-Previous under it. */
  WEBHOOK_SIGNING_SECRET_PREVIOUS: signingSecret,
  /** Base URL emails link to for public routes (code images, unsubscribe); default http://127.0.0.1:PORT. */
  PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** Signs public links (QR / barcode images, unsubscribe); unset, a random key is made per process, so links die with it. */
  LINK_SIGNING_SECRET: signingSecret,
  /** During a rotation, the secret being replaced: links signed with it are still accepted; new ones use LINK_SIGNING_SECRET. */
  LINK_SIGNING_SECRET_PREVIOUS: signingSecret,
  /** Days a customer cockpit link (`cockpit_url`) works after its message was composed. */
  COCKPIT_LINK_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Encrypts provider credentials at rest: 32 bytes as 64 hex characters or base64; unset, a key is made into DATA_DIR/channel-secrets.key. */
  CHANNEL_SECRETS_KEY: aesKey,
  /** Encrypts every Temporal payload (AES-256-GCM, src/codec): 32 bytes as 64 hex characters or base64; unset, a key is made into DATA_DIR/payload-encryption.key. */
  PAYLOAD_ENCRYPTION_KEY: aesKey,
  /** Browser origins (comma-separated) allowed to call /codec: the Temporal Web UI's; default the embedded UI at TEMPORAL_UI_PORT. */
  CODEC_CORS_ORIGINS: optionalString,
  /**
   * Hosts and addresses server-side requests may reach although they are loopback, private or
   * link-local (`127.0.0.1,localhost,hooks.internal`): comma-separated. Cloud metadata addresses never.
   */
  OUTBOUND_ALLOW_HOSTS: optionalString,
  /**
   * Where a provider channel sends instead of the provider's own API, by channel type
   * (`sendgrid=http://127.0.0.1:4010,mailgun=https://sandbox.example`): a sandbox or a local
   * fake. Operator configuration only: accounts cannot name a URL.
   */
  PROVIDER_BASE_URLS: optionalString.transform((s, ctx) => {
    const urls: Record<string, string> = {};
    for (const entry of (s ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '')) {
      const [type, url] = [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)];
      if (!/^[a-z][a-z0-9_-]*$/.test(type) || !/^https?:\/\/[^/@\s]+\/?$/.test(url)) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not <channel type>=<http(s) origin>` });
        return z.NEVER;
      }
      urls[type] = url.replace(/\/+$/, '');
    }
    return urls;
  }),
  /** Largest customer import upload (CSV / JSON), in bytes. */
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(200 * 1024 * 1024),
  /** Largest image uploaded for templates (POST /v1/templates/images), in bytes. */
  TEMPLATE_IMAGE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(5 * 1024 * 1024),
});

export type Config = z.infer<typeof envSchema> & { MONGO_DB: string };

/** Parses the environment once; a bad value stops the process with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const config = parsed.data;
  if ((config.APP_ID === undefined) !== (config.APP_TOKEN === undefined)) {
    throw new Error('Invalid configuration: APP_ID and APP_TOKEN must be set together');
  }
  return {
    ...config,
    MONGO_DB: config.MONGO_DB ?? databaseInUrl(config.MONGO_URL) ?? 'promo_engine',
    DATA_DIR: path.resolve(config.DATA_DIR),
    TOOLS_DIR: path.resolve(config.TOOLS_DIR),
  };
}

/** What production cannot run without: every API and worker process must hold the same ones. */
const SHARED_SECRETS = [
  'WEBHOOK_SIGNING_SECRET',
  'LINK_SIGNING_SECRET',
  'CHANNEL_SECRETS_KEY',
  'PAYLOAD_ENCRYPTION_KEY',
] as const;

/**
 * Why this process must not start, or nothing. With NODE_ENV=production, or when the API and
 * the worker run as separate processes, a secret made up per process (or kept in one
 * machine's DATA_DIR) would differ between them: a worker's unsubscribe links would fail at
 * the API, an API's stored credentials would not decrypt on a worker. So all four must be set,
 * and set to something strong (lengths are checked when the environment is parsed).
 */
export function missingProductionSecrets(config: Config, roles: { api: boolean; worker: boolean }): string | undefined {
  const production = config.NODE_ENV === 'production';
  if (!production && roles.api && roles.worker) return undefined;
  const missing = SHARED_SECRETS.filter((name) => !config[name]);
  if (missing.length === 0) return undefined;
  const why = production ? 'NODE_ENV is production' : 'the API and the worker run as separate processes';
  return `Refusing to start: ${why}, so every process needs the same secrets: set ${missing.join(', ')}. Signing secrets need at least ${MIN_SECRET_LENGTH} characters (openssl rand -hex 32); the two keys 32 bytes as 64 hex characters (openssl rand -hex 32) or base64.`;
}

/** The Temporal Web UI origins the codec routes answer with CORS: CODEC_CORS_ORIGINS, else the embedded UI's. */
export function codecCorsOrigins(config: Pick<Config, 'CODEC_CORS_ORIGINS' | 'TEMPORAL_UI_PORT'>): string[] {
  if (config.CODEC_CORS_ORIGINS)
    return config.CODEC_CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean);
  return [`http://127.0.0.1:${config.TEMPORAL_UI_PORT}`, `http://localhost:${config.TEMPORAL_UI_PORT}`];
}

/** The database part of a MongoDB connection string (`mongodb://h1,h2/db?…`), if any. */
export function databaseInUrl(url: string | undefined): string | undefined {
  const match = url?.match(/^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}
