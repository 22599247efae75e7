import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * What a key may do. Each role includes the ones before it: `read` lists and reads,
 * `write` also changes business data (customers, campaigns, distributions, …), and `admin`
 * also manages application keys and channel accounts (the provider credentials).
 */
export const ROLES = ['read', 'write', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** An application key: what `X-App-Id` / `X-App-Token` authenticate against. */
const appKeySchema = new Schema(
  {
    /** The public application id sent as X-App-Id. */
    _id: { type: String, required: true },
    /** Who or what the key is for, shown to operators. */
    name: { type: String, required: true },
    /** SHA-256 of the token; the token itself is shown once, at creation, and never stored. */
    tokenHash: { type: String, required: true },
    /** What the key may do (src/auth/roles.ts); a key stored before roles existed reads as admin. */
    role: { type: String, enum: ROLES },
    /**
     * Set when the key is revoked. The document stays as a tombstone so the key made from
     * APP_ID / APP_TOKEN is not brought back by the next start.
     */
    revokedAt: { type: Date },
  },
  { collection: 'app_keys', timestamps: true, versionKey: false },
);

export type AppKey = InferSchemaType<typeof appKeySchema>;
export type AppKeyModel = Model<AppKey>;

/** Names the live keys in a query: revoked ones are tombstones. */
export const LIVE_KEY = { revokedAt: { $exists: false } } as const;

export function appKeyModel(db: Connection): AppKeyModel {
  return (db.models.AppKey as AppKeyModel | undefined) ?? db.model<AppKey>('AppKey', appKeySchema);
}
