import type { EmailBlock, EmailStyle } from '../../src/templates/blocks';

/** A message-editor template using every block, for rendering and preview tests. */
export const everyBlock: EmailBlock[] = [
  {
    type: 'header',
    logo_url: 'https://cdn.example.com/logo.png',
    alt: 'Acme logo',
    link: 'https://acme.example.com',
    background_color: '#102030',
    align: 'left',
    logo_width: 120,
  },
  {
    type: 'text',
    content:
      '<b>Hello</b> {{ customer.name }}, <span style="color:#cc0000">your code is</span> <u>{{ voucher.code }}</u>',
    font_size: 18,
    color: '#222222',
    align: 'center',
  },
  {
    type: 'image',
    src: '{{ voucher.qr_url }}',
    alt: 'Your QR code',
    width: 200,
    link: 'https://acme.example.com/shop',
    align: 'center',
  },
  { type: 'image', src: '{{ voucher.barcode_url }}', alt: 'Your barcode', width: 300 },
  {
    type: 'button',
    label: 'Redeem now',
    link: 'https://acme.example.com/redeem?code={{ voucher.code }}',
    background_color: '#ff6600',
    color: '#ffffff',
    border_radius: 12,
    width: 240,
    size: 'large',
    align: 'center',
  },
  { type: 'divider', width: 80, color: '#cccccc', thickness: 3 },
  { type: 'spacer', height: 30 },
  {
    type: 'social',
    links: {
      linkedin: 'https://www.linkedin.com/company/acme',
      facebook: 'https://www.facebook.com/acme',
      instagram: 'https://www.instagram.com/acme',
      x: 'https://x.com/acme',
      youtube: 'https://www.youtube.com/@acme',
    },
    align: 'center',
  },
  {
    type: 'footer',
    content: 'Acme Ltd, 1 Main Street<br><a href="{{ unsubscribe_url }}">Unsubscribe</a>',
    color: '#999999',
    background_color: '#f0f0f0',
  },
];

export const everyBlockStyle: EmailStyle = {
  background_color: '#eeeeee',
  content_background_color: '#fafafa',
  border: { width: 2, color: '#333333', radius: 8 },
  font_family: 'Georgia, serif',
  width: 600,
};
