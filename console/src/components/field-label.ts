/** Words of field names that are acronyms: a marketer reads `MJML`, not `Mjml`. */
const ACRONYMS: Readonly<Record<string, string>> = { mjml: 'MJML', html: 'HTML', url: 'URL', sms: 'SMS', qr: 'QR' };

/** `channels.0.template.text` as a person reads it: `Channel 1 › template › text`. */
export function fieldLabel(field: string): string {
  const label = field
    .replace(/([a-z_]+?)s?\.(\d+)(?=\.|$)/g, (_m, name: string, index: string) => `${name} ${Number(index) + 1}`)
    .split('.')
    .map((part) =>
      part
        .split('_')
        .map((word) => ACRONYMS[word] ?? word)
        .join(' '),
    )
    .join(' › ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}
