import { Schema, type Connection, type Model } from 'mongoose';
import type { MetadataProperty } from '../metadata/metadata-schema';

/** The declared types of one resource's metadata (Voucherify's metadata schema); one per resource. */
const metadataSchemaSchema = new Schema(
  {
    /** The resource it types, e.g. `customer`; also the document id. */
    _id: { type: String, required: true },
    /** Property name -> declared type and constraints. */
    properties: { type: Schema.Types.Mixed, required: true },
    /** When true, keys not declared in `properties` are refused. */
    allow_defined_only: { type: Boolean, default: false },
  },
  {
    collection: 'metadata_schemas',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);

export interface MetadataSchemaDoc {
  _id: string;
  properties: Record<string, MetadataProperty>;
  allow_defined_only: boolean;
  created_at: Date;
  updated_at: Date;
}

export type MetadataSchemaModel = Model<MetadataSchemaDoc>;

export function metadataSchemaModel(db: Connection): MetadataSchemaModel {
  return (
    (db.models.MetadataSchema as MetadataSchemaModel | undefined) ??
    db.model<MetadataSchemaDoc>('MetadataSchema', metadataSchemaSchema)
  );
}
