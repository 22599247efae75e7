import { DomainError } from '../errors';
import { newId } from '../ids';
import type { Logger } from '../logger';
import type { Models } from '../models';
import type { ChannelAccountDoc } from '../models/channel-account';
import type { DistributionStatus } from '../models/distribution';
import type { AccountSpec, Channel, ChannelAccount, ChannelRegistry } from './channel';
import { scrubSecrets, SecretsDecryptError, type SecretBox } from './secrets';

export interface ChannelAccountInput {
  type: string;
  name: string;
  credentials: Record<string, string>;
  settings?: Record<string, unknown> | undefined;
}

/** PUT: `credentials` merge (a name left out keeps its stored value); `settings` replace. */
export interface ChannelAccountUpdate {
  name?: string | undefined;
  credentials?: Record<string, string> | undefined;
  settings?: Record<string, unknown> | undefined;
}

/** An account as a delivery run sees it: decrypted, or known but unusable under this key. */
export type DeliveryAccount =
  | { type: string; account: ChannelAccount; undecryptable?: undefined }
  | { type: string; undecryptable: true; account?: undefined };

interface Problem {
  field: string;
  reason: string;
}

/** Distributions in these statuses may still send, so the accounts they name cannot go. */
const LIVE_STATUSES: readonly DistributionStatus[] = [
  'waiting_for_audience',
  'scheduled',
  'sending',
  'active',
  'paused',
];

function invalid(problems: Problem[]): DomainError {
  return DomainError.invalid(
    'invalid_channel',
    'Invalid channel account',
    problems.map((p) => `${p.field}: ${p.reason}`).join('; '),
    { errors: problems },
  );
}

/** The API's answer to credentials that do not decrypt: names the account and the remedy, never the blob. */
function undecryptable(id: string, err: SecretsDecryptError): DomainError {
  return new DomainError(
    'internal',
    'channel_credentials_undecryptable',
    'Channel credentials cannot be decrypted',
    `${err.message} (channel ${id}): start the service with the CHANNEL_SECRETS_KEY they were saved under, or save them again`,
  );
}

/**
 * Provider accounts (`/v1/channels`): checked against their adapter's `account` spec,
 * stored with credentials encrypted, decrypted only to test them or to send.
 */
export class ChannelAccountService {
  constructor(
    private readonly models: Models,
    private readonly channels: ChannelRegistry,
    private readonly box: SecretBox,
    private readonly logger: Logger,
  ) {}

  async get(id: string): Promise<ChannelAccountDoc> {
    const doc = await this.models.ChannelAccount.findById(id).lean();
    if (!doc) throw DomainError.notFound('channel', id);
    return doc;
  }

  async create(input: ChannelAccountInput): Promise<ChannelAccountDoc> {
    const settings = input.settings ?? {};
    this.check(input.type, input.credentials, settings, true);
    const now = new Date();
    const doc: ChannelAccountDoc = {
      _id: newId('chan'),
      type: input.type,
      name: input.name,
      credentials_encrypted: this.box.seal(input.credentials),
      credential_names: Object.keys(input.credentials).sort(),
      settings,
      created_at: now,
      updated_at: now,
    };
    await this.models.ChannelAccount.create([doc], { timestamps: false });
    return doc;
  }

  async update(id: string, input: ChannelAccountUpdate): Promise<ChannelAccountDoc> {
    if (input.name === undefined && input.credentials === undefined && input.settings === undefined) {
      throw invalid([{ field: '(root)', reason: 'nothing to change: give name, credentials or settings' }]);
    }
    const current = await this.get(id);
    const settings = input.settings ?? current.settings ?? {};
    let credentials: Record<string, string> | undefined;
    if (input.credentials !== undefined) {
      const unknown = this.unknownCredentials(current.type, input.credentials);
      if (unknown.length > 0) throw invalid(unknown);
      credentials = { ...this.decrypt(current), ...input.credentials };
    }
    // Settings alone are checked too: the adapter's rules may tie them to the credentials.
    if (input.credentials !== undefined || input.settings !== undefined)
      this.check(current.type, credentials ?? this.decrypt(current), settings, false);
    const set: Partial<ChannelAccountDoc> = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.settings !== undefined ? { settings } : {}),
      ...(credentials
        ? { credentials_encrypted: this.box.seal(credentials), credential_names: Object.keys(credentials).sort() }
        : {}),
      updated_at: new Date(),
    };
    // Conditional on what was read: a concurrent credential change is not silently merged away.
    const updated = await this.models.ChannelAccount.findOneAndUpdate(
      { _id: id, updated_at: current.updated_at },
      { $set: set },
      { returnDocument: 'after', timestamps: false },
    ).lean();
    if (!updated) {
      if (!(await this.models.ChannelAccount.exists({ _id: id }))) throw DomainError.notFound('channel', id);
      throw DomainError.conflict(
        'channel_changed',
        'Channel account changed meanwhile',
        `channel ${id} was changed while this update was checked; retry`,
      );
    }
    return updated;
  }

  /** Removes the account and its credentials; refused while a live distribution names it. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    const user = await this.models.Distribution.findOne(
      { 'channels.channel_id': id, status: { $in: [...LIVE_STATUSES] } },
      { _id: 1, status: 1 },
    ).lean();
    if (user) {
      throw DomainError.conflict(
        'channel_in_use',
        'Channel account in use',
        `distribution ${user._id} (${user.status}) sends through channel ${id}: cancel it, or point it at another account, first`,
      );
    }
    await this.models.ChannelAccount.deleteOne({ _id: id });
  }

  /** Decrypts the credentials and asks the adapter for a cheap authenticated call. */
  async test(id: string): Promise<{ ok: true } | { ok: false; error: string }> {
    const doc = await this.get(id);
    const channel = this.channels.get(doc.type);
    if (!channel?.testConnection) {
      throw DomainError.invalid(
        'not_supported',
        'Connection test not supported',
        `channel type ${doc.type} has no connection test`,
      );
    }
    const account = this.account(doc);
    try {
      const result = await channel.testConnection(account);
      return result.ok ? { ok: true } : { ok: false, error: scrubSecrets(result.error, account.credentials) };
    } catch (err) {
      // Adapters should answer, not throw; a throw still is the account not working, not a 500.
      return { ok: false, error: scrubSecrets(err instanceof Error ? err.message : String(err), account.credentials) };
    }
  }

  /**
   * Decrypted accounts for a delivery run, by id; ids with no account are absent. Credentials
   * that do not decrypt (another key, altered) come back as `undecryptable`, logged without the blob.
   */
  async forDelivery(ids: readonly string[]): Promise<Map<string, DeliveryAccount>> {
    const out = new Map<string, DeliveryAccount>();
    if (ids.length === 0) return out;
    const docs = await this.models.ChannelAccount.find({ _id: { $in: [...new Set(ids)] } }).lean();
    for (const doc of docs) {
      try {
        out.set(doc._id, {
          type: doc.type,
          account: { id: doc._id, credentials: this.box.open(doc.credentials_encrypted), settings: doc.settings ?? {} },
        });
      } catch (err) {
        if (!(err instanceof SecretsDecryptError)) throw err;
        this.logger.error(
          { channelId: doc._id, type: doc.type, reason: err.message },
          'channel account credentials cannot be decrypted: check CHANNEL_SECRETS_KEY',
        );
        out.set(doc._id, { type: doc.type, undecryptable: true });
      }
    }
    return out;
  }

  private account(doc: ChannelAccountDoc): ChannelAccount {
    return { id: doc._id, credentials: this.decrypt(doc), settings: doc.settings ?? {} };
  }

  private decrypt(doc: ChannelAccountDoc): Record<string, string> {
    try {
      return this.box.open(doc.credentials_encrypted);
    } catch (err) {
      if (err instanceof SecretsDecryptError) throw undecryptable(doc._id, err);
      throw err;
    }
  }

  /** The adapter's spec for a type, or a 400 saying why the type takes no account. */
  private spec(type: string): { channel: Channel; spec: AccountSpec } {
    const channel = this.channels.get(type);
    if (!channel)
      throw invalid([
        {
          field: 'type',
          reason: `unknown channel type ${type} (available: ${this.accountTypes().join(', ') || 'none'})`,
        },
      ]);
    if (!channel.account)
      throw invalid([
        {
          field: 'type',
          reason: `channel type ${type} needs no account (types that do: ${this.accountTypes().join(', ') || 'none'})`,
        },
      ]);
    return { channel, spec: channel.account };
  }

  private accountTypes(): string[] {
    return this.channels.types().filter((t) => this.channels.get(t)?.account);
  }

  private unknownCredentials(type: string, credentials: Record<string, string>): Problem[] {
    const { spec } = this.spec(type);
    return Object.keys(credentials)
      .filter((name) => !spec.credentials.includes(name))
      .map((name) => ({
        field: `credentials.${name}`,
        reason: `unknown credential for ${type} (expected: ${spec.credentials.join(', ')})`,
      }));
  }

  private check(
    type: string,
    credentials: Record<string, string>,
    settings: Record<string, unknown>,
    complete: boolean,
  ): void {
    const { spec } = this.spec(type);
    const problems = this.unknownCredentials(type, credentials);
    if (complete || problems.length === 0) {
      for (const name of spec.credentials)
        if (!credentials[name]) problems.push({ field: `credentials.${name}`, reason: `required by ${type}` });
    }
    if (problems.length === 0) {
      let messages: string[];
      try {
        messages = spec.validate({ credentials, settings });
      } catch (err) {
        messages = [err instanceof Error ? err.message : String(err)];
      }
      for (const m of messages) problems.push({ field: 'account', reason: scrubSecrets(m, credentials) });
    }
    if (problems.length > 0) throw invalid(problems);
  }
}
