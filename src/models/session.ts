import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/** A console session: an application key exchanged for a cookie (src/auth/sessions.ts). */
const sessionSchema = new Schema(
  {
    /** SHA-256 of the cookie's token, so a database reader cannot replay a session. */
    _id: { type: String, required: true },
    /** The application key that signed in; its role decides what the session may do. */
    appKeyId: { type: String, required: true, index: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'sessions', timestamps: true, versionKey: false },
);
// Expired sessions are refused on read; the TTL index only keeps the collection small.
sessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type Session = InferSchemaType<typeof sessionSchema>;
export type SessionModel = Model<Session>;

export function sessionModel(db: Connection): SessionModel {
  return (db.models.Session as SessionModel | undefined) ?? db.model<Session>('Session', sessionSchema);
}
