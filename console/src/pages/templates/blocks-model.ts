import type { BlockType, EmailBlock } from '../../api/templates';

export const BLOCK_LABELS: Record<BlockType, string> = {
  header: 'Header with logo',
  text: 'Text',
  image: 'Image',
  button: 'Button',
  divider: 'Divider',
  social: 'Social buttons',
  spacer: 'Spacer',
  footer: 'Footer',
};

/** The unsubscribe link the footer's option adds; the sender fills `unsubscribe_url` per customer. */
export const UNSUBSCRIBE_LINK = '<a href="{{ unsubscribe_url }}">Unsubscribe</a>';

/** A block in the editor's list: the key stays with it while it is dragged around. */
export interface Item {
  key: string;
  block: EmailBlock;
}

let keys = 0;
export function item(block: EmailBlock): Item {
  keys += 1;
  return { key: `b${keys}`, block };
}

/** What a newly added block holds: valid as it is, so a template saves before every field is set. */
export function newBlock(type: BlockType): EmailBlock {
  switch (type) {
    case 'header':
      return { type, logo_url: 'https://placehold.co/150x50/png', alt: 'Logo', align: 'center' };
    case 'text':
      return { type, content: '<p>Hi {{ customer.name | default: "there" }},</p>' };
    case 'image':
      return { type, src: 'https://placehold.co/600x200/png', alt: '' };
    case 'button':
      return { type, label: 'Shop now', link: 'https://example.com', size: 'medium', align: 'center' };
    case 'divider':
      return { type };
    case 'social':
      return { type, links: { facebook: 'https://facebook.com/' } };
    case 'spacer':
      return { type, height: 20 };
    case 'footer':
      return { type, content: `You receive this because you agreed to our news. ${UNSUBSCRIBE_LINK}` };
  }
}

/** The code's QR code and barcode, as image blocks: the sender renders them for each message's code. */
export const CODE_IMAGES: Array<{ label: string; block: EmailBlock }> = [
  { label: 'QR code of the code', block: { type: 'image', src: '{{ voucher.qr_url }}', alt: 'QR code of your code', width: 200, align: 'center' } },
  { label: 'Barcode of the code', block: { type: 'image', src: '{{ voucher.barcode_url }}', alt: 'Barcode of your code', width: 300, align: 'center' } },
];

/** A starting email for a new template. */
export function starterBlocks(): EmailBlock[] {
  return [newBlock('text'), { type: 'text', content: '<p>Your code is <strong>{{ voucher.code }}</strong>.</p>' }, newBlock('footer')];
}
