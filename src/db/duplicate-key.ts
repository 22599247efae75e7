/**
 * Whether a write failed only on unique keys (E11000), for inserts that skip documents already
 * there. Drivers and servers report a bulk's duplicates as `writeErrors` (an array, or one
 * object) or as a single error's `code`.
 */
export function onlyDuplicateKeys(err: unknown): boolean {
  const bulk = err as {
    code?: number;
    writeErrors?: Array<{ code?: number; err?: { code?: number } }> | { code?: number; err?: { code?: number } };
  };
  const writeErrors = Array.isArray(bulk.writeErrors) ? bulk.writeErrors : bulk.writeErrors ? [bulk.writeErrors] : [];
  return writeErrors.length > 0 ? writeErrors.every((e) => (e.code ?? e.err?.code) === 11000) : bulk.code === 11000;
}
