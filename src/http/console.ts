import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type Response } from 'express';

/**
 * The console's own policy: scripts only from this origin (no inline script, no eval), no
 * framing of the console. Inline styles stay allowed because the component library sets its
 * CSS variables in a style element; images may come from https for email previews' logos.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** The first path segment of each mount (`/v1/customers` → `/v1`). */
function topSegment(mount: string): string {
  return `/${mount.split('/').filter(Boolean)[0] ?? ''}`;
}

function secure(res: Response): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('Referrer-Policy', 'same-origin');
}

/**
 * Serves the built console at `/`, and its index page for the client's routes
 * (`/distributions/dist_…`), so a reload or a shared link opens the right screen.
 */
export function consoleRouter(distDir: string, apiMounts: readonly string[]): Router {
  const router = Router();
  // Paths the API owns: an unknown one there is the API's 404, never the console's page. Taken from
  // what the app mounts, so a new top-level route cannot be shadowed by the console.
  const apiPrefixes = [...new Set(apiMounts.map(topSegment))];
  const isApiPath = (p: string) => apiPrefixes.some((prefix) => p === prefix || p.startsWith(`${prefix}/`));
  const index = path.join(distDir, 'index.html');
  router.use(
    express.static(distDir, {
      index: false,
      setHeaders(res, file) {
        secure(res);
        // Vite names assets by content hash, so they never change; the page itself must be fresh.
        res.setHeader(
          'Cache-Control',
          file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    }),
  );
  router.get(/.*/, (req, res, next) => {
    // Only a browser's navigation (which asks for text/html by name) gets the page; other clients keep the API's 404.
    if (isApiPath(req.path) || !req.get('accept')?.includes('text/html')) return next();
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The web console is not built: run `npm install` (or `npm run build:console`) and reload.');
      return;
    }
    secure(res);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
