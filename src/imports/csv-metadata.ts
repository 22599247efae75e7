import { isDecimalText } from '../metadata/decimal-text';
import type { MetadataProperty } from '../metadata/metadata-schema';

function typed(property: MetadataProperty, cell: string): unknown {
  const text = cell.trim();
  if (property.type === 'number' && isDecimalText(text, { plusSign: true, exponent: true })) return Number(text);
  if (property.type === 'boolean' && /^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  return cell;
}

/**
 * A CSV cell is always text; where the customer metadata schema declares a key a number, a
 * boolean or a list (comma-separated), the cell is converted to it. Cells that do not convert
 * stay text, so the schema check then names the key and the expected type.
 */
export function typeCsvMetadata(customer: unknown, properties: Record<string, MetadataProperty>): unknown {
  if (typeof customer !== 'object' || customer === null || !('metadata' in customer)) return customer;
  const { metadata } = customer as { metadata: unknown };
  if (typeof metadata !== 'object' || metadata === null) return customer;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    const property = properties[key];
    if (!property || typeof value !== 'string') out[key] = value;
    else if (property.array) out[key] = value.split(',').map((item) => typed(property, item.trim()));
    else out[key] = typed(property, value);
  }
  return { ...customer, metadata: out };
}
