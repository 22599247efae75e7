import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Provider credentials as stored: AES-256-GCM over their JSON. `v` names the scheme so a
 * later one (another cipher, a rotated key id) can be told apart from this one.
 */
export interface SecretBlob {
  v: 1;
  /** 12-byte nonce, base64; fresh for every encryption. */
  iv: string;
  /** 16-byte GCM authentication tag, base64. */
  tag: string;
  /** Ciphertext, base64. */
  data: string;
}

/**
 * A provider account (`/v1/channels`) that distribution channels send through, e.g. a
 * SendGrid key. Credentials are stored only encrypted (src/channels/secrets.ts); their
 * names are kept in clear so the API can show which ones are set without decrypting.
 */
const channelAccountSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** A channel type from the registry whose adapter has an `account` spec. */
    type: { type: String, required: true },
    name: { type: String, required: true },
    credentials_encrypted: { type: Schema.Types.Mixed, required: true },
    credential_names: { type: [String], required: true },
    /** Plain provider settings: sender, list id, profile field names, region. */
    settings: { type: Schema.Types.Mixed, default: {} },
  },
  {
    collection: 'channel_accounts',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
channelAccountSchema.index({ type: 1, created_at: -1 });

export interface ChannelAccountDoc {
  _id: string;
  type: string;
  name: string;
  credentials_encrypted: SecretBlob;
  credential_names: string[];
  settings: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export type ChannelAccountModel = Model<ChannelAccountDoc>;

export function channelAccountModel(db: Connection): ChannelAccountModel {
  return (
    (db.models.ChannelAccount as ChannelAccountModel | undefined) ??
    db.model<ChannelAccountDoc>('ChannelAccount', channelAccountSchema)
  );
}
