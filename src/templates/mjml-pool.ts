import os from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';

/** Longest an MJML compile may take; past it the worker is ended and the compile fails. */
export const MJML_COMPILE_TIMEOUT_MS = 10_000;
/** Largest MJML source compiled (editor blocks expand to MJML, so this is above the input cap). */
export const MJML_COMPILE_MAX_CHARS = 1_000_000;

let pool: Piscina | undefined;

/**
 * A small pool of worker threads that compile MJML: at most two (or the cores less one), made
 * on first use and ended when idle, with a bounded queue, so compiles never run on the event
 * loop and a burst of them waits rather than taking every core.
 */
function mjmlPool(): Piscina {
  pool ??= new Piscina({
    filename: path.join(__dirname, 'mjml-worker.js'),
    minThreads: 0,
    maxThreads: Math.max(1, Math.min(2, os.availableParallelism() - 1)),
    idleTimeout: 30_000,
    maxQueue: 200,
  });
  return pool;
}

/** MJML → HTML in a worker thread; rejects with `invalid MJML: …`, or when too large or too slow. */
export async function compileInWorker(source: string, timeoutMs = MJML_COMPILE_TIMEOUT_MS): Promise<string> {
  if (source.length > MJML_COMPILE_MAX_CHARS)
    throw new Error(`invalid MJML: the source is ${source.length} characters, more than ${MJML_COMPILE_MAX_CHARS}`);
  let result: { html?: string; error?: string };
  try {
    result = (await mjmlPool().run(source, { signal: AbortSignal.timeout(timeoutMs) })) as {
      html?: string;
      error?: string;
    };
  } catch (err) {
    const e = err as { name?: string; message?: string };
    if (e.name === 'AbortError' || e.name === 'TimeoutError')
      throw new Error(`invalid MJML: it did not compile within ${timeoutMs} ms`);
    throw new Error(`MJML compile failed: ${e.message ?? String(err)}`);
  }
  if (result.error !== undefined || result.html === undefined)
    throw new Error(`invalid MJML: ${result.error ?? 'no output'}`);
  return result.html;
}

/** Ends the pool's threads (tests, shutdown); the next compile makes a new pool. */
export async function closeMjmlPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.destroy();
}
