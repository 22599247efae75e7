import type { RequestHandler } from 'express';

/** What the Temporal UI's codec requests send, and what our own key headers are. */
const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization, X-App-Id, X-App-Token';

/**
 * CORS for the codec routes, for the listed origins only (the Temporal Web UI's): a page of any
 * other origin cannot read a decoded payload even with a key. Credentials are allowed so a UI set
 * to "include cross-origin credentials" is not refused by the browser (the key is still required).
 * Preflights end here, before auth, as browsers send them without credentials.
 */
export function codecCors(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins.map((o) => o.replace(/\/+$/, '')));
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' });
      if (req.method === 'OPTIONS') {
        res.set({
          'Access-Control-Allow-Methods': 'POST',
          'Access-Control-Allow-Headers': ALLOWED_HEADERS,
          'Access-Control-Max-Age': '600',
        });
        res.status(204).end();
        return;
      }
    } else if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}
