import { Schema, type Connection, type Model } from 'mongoose';

/** A named set of consents: granting or revoking the group grants or revokes each member. */
const consentGroupSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    description: String,
    /** Member consent ids; a deleted consent is pulled from every group. */
    consents: { type: [String], default: [], index: true },
  },
  {
    collection: 'consent_groups',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
consentGroupSchema.index({ created_at: 1, _id: 1 });

export interface ConsentGroupDoc {
  _id: string;
  name: string;
  description?: string;
  consents: string[];
  created_at: Date;
  updated_at: Date;
}

export type ConsentGroupModel = Model<ConsentGroupDoc>;

export function consentGroupModel(db: Connection): ConsentGroupModel {
  return (
    (db.models.ConsentGroup as ConsentGroupModel | undefined) ??
    db.model<ConsentGroupDoc>('ConsentGroup', consentGroupSchema)
  );
}
