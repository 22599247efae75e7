/** `channels.0.template.text` as a person reads it: `Channel 1 › template › text`. */
export function fieldLabel(field: string): string {
  const label = field
    .replace(/([a-z_]+?)s?\.(\d+)(?=\.|$)/g, (_m, name: string, index: string) => `${name} ${Number(index) + 1}`)
    .split('.')
    .map((part) => part.replace(/_/g, ' '))
    .join(' › ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}
