import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { DomainError } from '../errors';

/**
 * The stream of one file field of a multipart/form-data request, as soon as its part
 * begins; the caller must consume it. Other fields and files are skipped.
 */
export function multipartFile(req: IncomingMessage, field: string): Promise<{ stream: Readable; filename: string }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 5, fields: 50, parts: 60 } });
    } catch {
      reject(
        new DomainError(
          'unsupported_media_type',
          'unsupported_media_type',
          'Unsupported media type',
          `Send multipart/form-data with the file in a field named "${field}".`,
        ),
      );
      return;
    }
    let file: Readable | undefined;
    parser.on('file', (name, stream, info) => {
      if (name !== field || file) {
        stream.resume();
        return;
      }
      file = stream;
      resolve({ stream, filename: info.filename || 'upload' });
    });
    parser.on('error', (err: Error) => {
      const invalid = DomainError.invalid('invalid_multipart', 'Malformed multipart body', err.message);
      if (file) file.destroy(invalid);
      else reject(invalid);
    });
    parser.on('close', () => {
      if (!file)
        reject(
          DomainError.invalid(
            'missing_file',
            'No file uploaded',
            `Send the file in a multipart/form-data field named "${field}".`,
          ),
        );
    });
    req.on('close', () => {
      if (!req.complete) parser.destroy(new Error('the client closed the connection during the upload'));
    });
    req.pipe(parser);
  });
}
