import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { logContext } from '../../logger';

const ACCEPTED_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives every request an id, echoed in `X-Request-Id` and in error bodies. A caller's own
 * id is kept when it is short and plain, so a trace can span services; anything else is
 * replaced, since it would end up in logs verbatim.
 *
 * The rest of the request runs in the log context, so every line logged while serving it
 * carries `requestId`. Its body's events are bound to that context too: a body parser calls
 * `next` from the socket's `end` event, which would otherwise run outside it.
 */
export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.get('x-request-id');
  const id = incoming && ACCEPTED_ID.test(incoming) ? incoming : `v-${randomBytes(9).toString('hex')}`;
  res.locals.requestId = id;
  res.set('X-Request-Id', id);
  logContext.run({ requestId: id }, () => {
    req.emit = AsyncLocalStorage.bind(req.emit);
    next();
  });
};
