import { Writable } from 'node:stream';
import { createLogger, redactUrl } from '../../src/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

describe('logger', () => {
  it('blanks request credentials and provider secrets wherever they are logged', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        req: { headers: { 'x-app-token': 'tok-123', 'x-app-id': 'app' } },
        settings: { apiKey: 'SG.secret', password: 'pw', host: 'smtp' },
      },
      'm',
    );
    const line = lines.join('');
    for (const secret of ['tok-123', 'SG.secret', '"pw"']) expect(line).not.toContain(secret);
    expect(line).toContain('"x-app-id":"app"');
    expect(line).toContain('"host":"smtp"');
  });

  it('hides the password in a connection string', () => {
    expect(redactUrl('mongodb://admin:hunter2@db:27017/promo')).toBe('mongodb://***@db:27017/promo');
    expect(redactUrl('mongodb://db:27017')).toBe('mongodb://db:27017');
  });
});
