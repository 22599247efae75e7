import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { UNSUBSCRIBE_CHANNELS, type UnsubscribeChannel } from '../../consents/channels';
import type { CustomerConsents } from '../../consents/customer-consents';
import type { CustomerService } from '../../customers/customer-service';
import type { DistributionSettings } from '../../distributions/settings';
import type { Infrastructure } from '../../infrastructure';
import { AppError } from '../../http/errors';
import { ApiRouter } from '../../http/api-router';
import { barcodePng, qrPng } from '../../templates/code-images';
import { openImage } from '../../templates/image-store';
import { escapeHtml } from '../../templates/render';
import { verifyCockpitSignature, verifyCodeSignature, verifyUnsubscribeSignature } from '../../templates/signed-links';
import { cockpitHtml } from '../../customers/cockpit-page';

const codeParams = z.strictObject({ code: z.string().min(1).max(200) });
const imageParams = z.strictObject({ id: z.string().regex(/^img_[A-Za-z0-9]{1,64}$/, 'not an image id') });
// Everything optional: a missing signature or field is a 403 like a wrong one, not a 400 that says which.
const sigQuery = z.object({ sig: z.string().max(100).optional() });
const cockpitQuery = z.object({
  c: z.string().max(200).optional(),
  exp: z.string().max(20).optional(),
  sig: z.string().max(100).optional(),
});
const unsubscribeQuery = z.object({
  c: z.string().max(200).optional(),
  ch: z.string().max(50).optional(),
  sig: z.string().max(100).optional(),
});

// Unsubscribe answers a person in a browser, so its outcomes are pages, not JSON.
const UNSUBSCRIBE_ERRORS = { 403: 'Missing or invalid signature', 404: 'The customer no longer exists' };
const UNSUBSCRIBE_PAGES = { 200: 'text/html', 403: 'text/html', 404: 'text/html' };

/** A signed image never changes: mail clients and proxies may keep it for a long time. */
const IMAGE_CACHE = 'public, max-age=604800, immutable';

function forbidden(): AppError {
  return new AppError(403, 'forbidden', 'Forbidden', 'the link is not valid');
}

/** A small HTML page; `form` adds a button that POSTs back to the same signed URL. */
function page(
  res: Response,
  status: number,
  title: string,
  message: string,
  form?: { action: string; button: string },
): void {
  const button = form
    ? `<form method="post" action="${escapeHtml(form.action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" style="font-size:16px;padding:10px 18px">${escapeHtml(form.button)}</button></form>`
    : '';
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    .set(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    .type('html')
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>` +
        `<body style="font-family:Helvetica,Arial,sans-serif;max-width:480px;margin:60px auto;padding:0 20px;color:#333"><h1 style="font-size:22px">${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${button}</body></html>`,
    );
}

/**
 * Routes emails link to, reachable without credentials: the signature in each link (see
 * src/templates/signed-links.ts) is the only authority, and a bad one says nothing more than 403.
 */
export function publicRouter(
  ctx: Pick<Infrastructure, 'db' | 'models'> & {
    settings: DistributionSettings;
    customers: CustomerService;
    customerConsents: CustomerConsents;
  },
): ApiRouter {
  // During a rotation a link signed with the previous key still works; new links carry the current one.
  const keys = () => [
    ctx.settings.linkSigningKey,
    ...(ctx.settings.linkSigningPreviousKey ? [ctx.settings.linkSigningPreviousKey] : []),
  ];
  const image =
    (render: (code: string) => Promise<Buffer>) =>
    async ({
      params,
      query,
      res,
    }: {
      params: { code: string };
      query: { sig?: string | undefined };
      res: Response;
    }) => {
      if (!keys().some((key) => verifyCodeSignature(key, params.code, query.sig))) throw forbidden();
      const png = await render(params.code);
      // Mail clients on other origins (webmail) embed it, which helmet's same-origin default would block.
      res
        .status(200)
        .set('Cache-Control', IMAGE_CACHE)
        .set('Cross-Origin-Resource-Policy', 'cross-origin')
        .type('png')
        .send(png);
    };
  /** The customer a signed unsubscribe link names, or undefined once the refusal page is sent. */
  const signedCustomer = async (query: z.infer<typeof unsubscribeQuery>, res: Response) => {
    const { c, ch, sig } = query;
    if (
      !c ||
      !ch ||
      !keys().some((key) => verifyUnsubscribeSignature(key, c, ch, sig)) ||
      !(UNSUBSCRIBE_CHANNELS as readonly string[]).includes(ch)
    ) {
      page(
        res,
        403,
        'Link not valid',
        'This unsubscribe link is not valid. Use the link from the latest message you received.',
      );
      return undefined;
    }
    const customer = await ctx.customers.find(c);
    if (!customer)
      page(res, 404, 'Nothing to unsubscribe', 'We no longer hold your details, so you will not get these messages.');
    return customer ? { customer, channel: ch as UnsubscribeChannel } : undefined;
  };
  const what = (channel: string) => (channel === 'all' ? 'any of our messages' : `our ${channel} messages`);
  // GET (and HEAD) only asks: mail security scanners open every link in a message, and must not opt anyone out.
  const confirm = async ({
    query,
    req,
    res,
  }: {
    query: z.infer<typeof unsubscribeQuery>;
    req: Request;
    res: Response;
  }) => {
    const signed = await signedCustomer(query, res);
    if (!signed) return;
    page(res, 200, 'Unsubscribe?', `Confirm and you will no longer receive ${what(signed.channel)}.`, {
      action: req.originalUrl,
      button: 'Unsubscribe',
    });
  };
  const unsubscribe = async ({ query, res }: { query: z.infer<typeof unsubscribeQuery>; res: Response }) => {
    const signed = await signedCustomer(query, res);
    if (!signed) return;
    await ctx.customerConsents.changeChannel(signed.customer._id, { action: 'unsubscribe', channel: signed.channel });
    page(res, 200, 'You are unsubscribed', `You will no longer receive ${what(signed.channel)}.`);
  };

  /** An uploaded template image: its id is random and its bytes never change, so anyone with the link may keep it. */
  const uploadedImage = async ({ params, res }: { params: { id: string }; res: Response }) => {
    const image = await openImage(ctx.db, params.id);
    if (!image) throw AppError.notFound('image', params.id);
    // nosniff (helmet, on every answer) keeps a browser to the type checked at upload.
    res
      .status(200)
      .set('Cache-Control', 'public, max-age=31536000, immutable')
      .set('Cross-Origin-Resource-Policy', 'cross-origin')
      .set('Content-Length', String(image.size))
      .type(image.contentType);
    await pipeline(image.stream, res);
  };

  // The cockpit names one customer and an expiry, both signed: another customer's id or a later expiry breaks the signature.
  const cockpit = async ({ query, res }: { query: z.infer<typeof cockpitQuery>; res: Response }) => {
    const { c, exp, sig } = query;
    if (!c || !exp || !keys().some((key) => verifyCockpitSignature(key, c, exp, sig))) {
      page(
        res,
        403,
        'Link not valid',
        'This link is not valid or has expired. Use the link from the latest message you received.',
      );
      return;
    }
    const customer = await ctx.customers.find(c);
    if (!customer || customer._id !== c) {
      page(res, 404, 'Nothing to show', 'We no longer hold your details.');
      return;
    }
    res
      .status(200)
      .set('Cache-Control', 'no-store')
      .set('Referrer-Policy', 'no-referrer')
      .set(
        'Content-Security-Policy',
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
      )
      .type('html')
      .send(await cockpitHtml(ctx.models, customer, ctx.settings.linkSigningKey));
  };

  return new ApiRouter('/public', 'Public links', false)
    .route(
      {
        method: 'get',
        path: '/images/:id',
        summary: 'An image uploaded for templates (POST /v1/templates/images), with its checked content type',
        params: imageParams,
        errors: { 404: 'No such image' },
        media: { 200: 'image/*' },
      },
      uploadedImage,
    )
    .route(
      {
        method: 'get',
        path: '/cockpit',
        summary:
          "The customer cockpit a signed, expiring `cockpit_url` opens: the customer's active codes with QR images, balances and loyalty points (HTML)",
        query: cockpitQuery,
        errors: { 403: 'Missing, invalid or expired signature', 404: 'The customer no longer exists' },
        media: { 200: 'text/html', 403: 'text/html', 404: 'text/html' },
      },
      cockpit,
    )
    .route(
      {
        method: 'get',
        path: '/codes/:code/qr.png',
        summary: "A code's QR code (PNG); the link must carry its signature",
        params: codeParams,
        query: sigQuery,
        errors: { 403: 'Missing or invalid signature' },
        media: { 200: 'image/png' },
      },
      image(qrPng),
    )
    .route(
      {
        method: 'get',
        path: '/codes/:code/barcode.png',
        summary: "A code's Code 128 barcode (PNG); the link must carry its signature",
        params: codeParams,
        query: sigQuery,
        errors: { 403: 'Missing or invalid signature' },
        media: { 200: 'image/png' },
      },
      image(barcodePng),
    )
    .route(
      {
        method: 'get',
        path: '/unsubscribe',
        summary:
          'The signed unsubscribe link from an email: answers a confirmation page whose button POSTs; changes nothing',
        query: unsubscribeQuery,
        errors: UNSUBSCRIBE_ERRORS,
        media: UNSUBSCRIBE_PAGES,
      },
      confirm,
    )
    .route(
      {
        method: 'post',
        path: '/unsubscribe',
        summary:
          'Opt the customer out of the channel: the confirmation button, or one-click unsubscribe (RFC 8058 List-Unsubscribe-Post) with the same signed link',
        query: unsubscribeQuery,
        errors: UNSUBSCRIBE_ERRORS,
        media: UNSUBSCRIBE_PAGES,
      },
      unsubscribe,
    );
}
