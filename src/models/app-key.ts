import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/** An application key: what `X-App-Id` / `X-App-Token` authenticate against. */
const appKeySchema = new Schema(
  {
    /** The public application id sent as X-App-Id. */
    _id: { type: String, required: true },
    /** Who or what the key is for, shown to operators. */
    name: { type: String, required: true },
    /** SHA-256 of the token; the token itself is shown once, at creation, and never stored. */
    tokenHash: { type: String, required: true },
  },
  { collection: 'app_keys', timestamps: true, versionKey: false },
);

export type AppKey = InferSchemaType<typeof appKeySchema>;
export type AppKeyModel = Model<AppKey>;

export function appKeyModel(db: Connection): AppKeyModel {
  return (db.models.AppKey as AppKeyModel | undefined) ?? db.model<AppKey>('AppKey', appKeySchema);
}
