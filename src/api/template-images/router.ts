import { z } from 'zod';
import type { AppContext } from '../../context';
import { ApiRouter } from '../../http/api-router';
import { multipartFile } from '../../imports/multipart-file';
import { payloadTooLarge } from '../../imports/upload-store';
import { DEFAULT_IMAGE_MAX_BYTES, storeImage } from '../../templates/image-store';

const imageJson = z.object({
  id: z.string(),
  url: z.string().describe('Where it is served, without credentials: /public/images/<id>'),
  content_type: z.string(),
  size: z.number(),
});

/** Images for templates: uploaded here, served without credentials under /public/images/<id>. */
export function templateImagesRouter(ctx: AppContext): ApiRouter {
  const imageMaxBytes = ctx.imageMaxBytes ?? DEFAULT_IMAGE_MAX_BYTES;
  return new ApiRouter('/v1/templates', 'Templates').route(
    {
      method: 'post',
      path: '/images',
      summary: `Upload an image for templates (multipart/form-data, field "file"): PNG, JPEG, GIF or WebP by content (SVG and anything else: 415), at most ${imageMaxBytes} bytes (413); served without credentials under /public/images/<id>`,
      upload: { field: 'file', description: 'The image' },
      status: 201,
      response: imageJson,
      errors: { 400: 'No "file" field, an empty file, or a malformed multipart body' },
    },
    async ({ req, res }) => {
      const declared = Number(req.headers['content-length']);
      // Room for the multipart boundaries and part headers around the file.
      if (Number.isFinite(declared) && declared > imageMaxBytes + 64 * 1024) {
        res.setHeader('Connection', 'close');
        throw payloadTooLarge(imageMaxBytes);
      }
      const file = await multipartFile(req, 'file');
      try {
        const image = await storeImage(ctx.db, file.stream, file.filename, imageMaxBytes);
        return { ...image, url: `/public/images/${image.id}` };
      } catch (err) {
        // A refused upload is not read to its end: the connection closes once the error is sent.
        res.setHeader('Connection', 'close');
        throw err;
      }
    },
  );
}
