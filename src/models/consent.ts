import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A consent definition (a marketing permission such as "newsletter"). Customers' answers
 * live on the customer (`consents`), so a grant and its event are one customer write.
 */
const consentSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    description: String,
    category: String,
  },
  {
    collection: 'consents',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
consentSchema.index({ created_at: 1, _id: 1 });

export interface ConsentDoc {
  _id: string;
  name: string;
  description?: string;
  category?: string;
  created_at: Date;
  updated_at: Date;
}

export type ConsentModel = Model<ConsentDoc>;

export function consentModel(db: Connection): ConsentModel {
  return (db.models.Consent as ConsentModel | undefined) ?? db.model<ConsentDoc>('Consent', consentSchema);
}
