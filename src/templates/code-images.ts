import bwipjs from 'bwip-js';
import QRCode from 'qrcode';

/** A voucher code as a QR code PNG, large enough to scan from a phone screen. */
export function qrPng(code: string): Promise<Buffer> {
  return QRCode.toBuffer(code, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 240 });
}

/** A voucher code as a Code 128 barcode PNG (any printable ASCII code fits) with the code printed under it. */
export function barcodePng(code: string): Promise<Buffer> {
  return bwipjs.toBuffer({
    bcid: 'code128',
    text: code,
    scale: 3,
    height: 12,
    includetext: true,
    textxalign: 'center',
    paddingwidth: 10,
    paddingheight: 6,
    backgroundcolor: 'FFFFFF',
  });
}
