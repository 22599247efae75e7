/**
 * How many characters and SMS parts a text takes. GSM-7 texts fit 160 characters in one message
 * and 153 per part once split (the rest of each part holds the concatenation header); one
 * character outside GSM-7 makes the whole text UCS-2: 70, then 67 per part. The GSM-7 extension
 * table's characters (€, [, ], {, }, …) take two septets each.
 */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

const basic = new Set(Array.from(GSM_BASIC));
const extended = new Set(Array.from(GSM_EXTENDED));

export interface SmsCount {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets for GSM-7 (an extension character counts twice), UTF-16 code units for UCS-2. */
  characters: number;
  parts: number;
  /** Characters one part holds at this length: 160/153 or 70/67. */
  perPart: number;
  /** What is left in the last part before another one starts. */
  remaining: number;
}

export function countSms(text: string): SmsCount {
  const chars = Array.from(text);
  const gsm = chars.every((c) => basic.has(c) || extended.has(c));
  const characters = gsm ? chars.reduce((n, c) => n + (extended.has(c) ? 2 : 1), 0) : text.length;
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const parts = characters === 0 ? 0 : characters <= single ? 1 : Math.ceil(characters / multi);
  const perPart = parts > 1 ? multi : single;
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', characters, parts, perPart, remaining: Math.max(parts, 1) * perPart - characters };
}
