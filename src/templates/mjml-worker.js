/**
 * Compiles MJML in a worker thread (see mjml-pool.ts), so a large or hostile source cannot hold
 * the API's event loop. Plain JavaScript: a worker is loaded by node alone, under `tsx` and
 * under Jest alike. Errors come back as values: an Error's own fields do not cross threads.
 */
const mjml = require('mjml');

const compile = mjml.default || mjml;

module.exports = async function compileMjmlSource(source) {
  try {
    const result = await compile(source, { validationLevel: 'strict', keepComments: false });
    return { html: result.html };
  } catch (err) {
    const errors = err && Array.isArray(err.errors) ? err.errors : [];
    const detail = errors.length
      ? errors.map((e) => `line ${e.line === undefined ? '?' : e.line}: ${e.message}`).join('; ')
      : err instanceof Error
        ? err.message
        : String(err);
    return { error: detail };
  }
};
