import type { ConsentDoc } from '../models/consent';
import type { ConsentGroupDoc } from '../models/consent-group';

export function toConsentJson(doc: ConsentDoc) {
  return {
    id: doc._id,
    name: doc.name,
    description: doc.description ?? null,
    category: doc.category ?? null,
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at ? doc.updated_at.toISOString() : null,
    object: 'consent' as const,
  };
}

export function toConsentGroupJson(doc: ConsentGroupDoc) {
  return {
    id: doc._id,
    name: doc.name,
    description: doc.description ?? null,
    consents: doc.consents,
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at ? doc.updated_at.toISOString() : null,
    object: 'consent_group' as const,
  };
}

/** How events name a consent. */
export function consentRef(doc: Pick<ConsentDoc, '_id' | 'name'>) {
  return { id: doc._id, name: doc.name, object: 'consent' as const };
}
