import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A test send of a template (`POST /v1/templates/:id/test`): to one address an operator gives,
 * through a chosen channel. Kept apart from distribution messages, so it is in no report or
 * customer's history, and no code is published for it. Written `queued` before the provider
 * is called, like every message.
 */
const testMessageSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The saved template sent; absent for an unsaved one. */
    template_id: String,
    channel_type: { type: String, required: true },
    /** The provider account (`/v1/channels`) it went through, when the channel takes one. */
    channel_id: String,
    to: { type: String, required: true },
    /** The customer it was rendered for; absent: a sample customer. */
    customer_id: String,
    voucher_code: { type: String, required: true },
    status: { type: String, required: true },
    error: String,
    provider_message_id: String,
    sent_at: Date,
  },
  { collection: 'test_messages', versionKey: false, timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' } },
);

export type TestMessageStatus = 'queued' | 'sent' | 'failed';

export interface TestMessageDoc {
  _id: string;
  template_id?: string;
  channel_type: string;
  channel_id?: string;
  to: string;
  customer_id?: string;
  voucher_code: string;
  status: TestMessageStatus;
  error?: string;
  provider_message_id?: string;
  sent_at?: Date;
  created_at: Date;
  updated_at: Date;
}

export type TestMessageModel = Model<TestMessageDoc>;

export function testMessageModel(db: Connection): TestMessageModel {
  return (
    (db.models.TestMessage as TestMessageModel | undefined) ??
    db.model<TestMessageDoc>('TestMessage', testMessageSchema)
  );
}
