import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useServiceHarness } from '../helpers/harness';

const RUNNER = path.join(__dirname, '..', 'fuzz', 'run.sh');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** Reachable without a key by design: probes, the API's own description, signed email links, and the console's sign-in (its credentials are its body). */
const PUBLIC = [
  /^\/health(\/|$)/,
  /^\/openapi\.json$/,
  /^\/docs(\/|$)/,
  /^\/metrics$/,
  /^\/public\//,
  /^\/v1\/sessions$/,
];

interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  secured: boolean;
}

interface OpenApiDocument {
  paths: Record<string, Partial<Record<string, { security?: unknown[] }>>>;
}

function operations(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    METHODS.flatMap((method) => {
      const op = item[method];
      return op ? [{ method, path: p, secured: (op.security ?? []).length > 0 }] : [];
    }),
  );
}

/** Runs test/fuzz/run.sh to the end; schemathesis writes a cache into its cwd, so that is a temp folder. */
function runFuzzer(
  url: string,
  auth: { 'X-App-Id': string; 'X-App-Token': string },
): Promise<{ code: number | null; output: string }> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'api-fuzz-'));
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [RUNNER, url], {
      cwd,
      env: { ...process.env, APP_ID: auth['X-App-Id'], APP_TOKEN: auth['X-App-Token'] },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.rmSync(cwd, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}

describe('API against its own OpenAPI document', () => {
  const h = useServiceHarness('fuzz');
  let doc: OpenApiDocument;

  beforeAll(async () => {
    doc = (await (await fetch(`${h.sdk.url}/openapi.json`)).json()) as OpenApiDocument;
  });

  it('answers 401 without credentials on every operation except the public ones', async () => {
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(50);
    // A route the document leaves unsecured must be one of the public ones on purpose.
    expect(ops.filter((op) => !op.secured && !PUBLIC.some((re) => re.test(op.path)))).toEqual([]);

    const secured = ops.filter((op) => !PUBLIC.some((re) => re.test(op.path)));
    const answers = await Promise.all(
      secured.map(async (op) => {
        const url = h.sdk.url + op.path.replace(/\{\w+\}/g, 'fuzz_unknown_id');
        const hasBody = op.method === 'post' || op.method === 'put' || op.method === 'patch';
        const res = await fetch(url, {
          method: op.method.toUpperCase(),
          ...(hasBody ? { headers: { 'Content-Type': 'application/json' }, body: '{}' } : {}),
        });
        const body = (await res.json().catch(() => null)) as { code?: number; key?: string } | null;
        return { op: `${op.method.toUpperCase()} ${op.path}`, status: res.status, key: body?.key };
      }),
    );
    expect(answers.filter((a) => a.status !== 401 || a.key !== 'unauthorized')).toEqual([]);
    expect(secured.every((op) => op.secured)).toBe(true);
  });

  // Found by the fuzzer: the unique index on source_id surfaced as a 500.
  it("refuses with 409 a customer update that takes another customer's source_id", async () => {
    const headers = { ...h.t.auth, 'Content-Type': 'application/json' };
    const post = (body: object) =>
      fetch(`${h.sdk.url}/v1/customers`, { method: 'POST', headers, body: JSON.stringify(body) });
    const first = (await (await post({ source_id: 'fuzz-taken' })).json()) as { id: string };
    const second = (await (await post({ source_id: 'fuzz-other' })).json()) as { id: string };
    const res = await fetch(`${h.sdk.url}/v1/customers/${second.id}`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ source_id: 'fuzz-taken' }),
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 409, key: 'duplicate_found' });
    // Neither customer changed.
    expect((await h.sdk.getCustomer(first.id)).source_id).toBe('fuzz-taken');
    expect((await h.sdk.getCustomer(second.id)).source_id).toBe('fuzz-other');
  });

  it(
    'survives schemathesis: no 5xx, and every status, content type and body is one the document declares',
    async () => {
      const { code, output } = await runFuzzer(h.sdk.url, h.t.auth);
      if (code !== 0) {
        // The service's own account of any 500 (stack included) is what fixing it needs.
        const crashes = h.t.logs.lines
          .filter((line) => line.includes('"unhandled error"'))
          .slice(0, 5)
          .join('');
        throw new Error(
          `schemathesis exited with ${code} (install it with: python3 -m pip install -r test/fuzz/requirements.txt)\n${output.slice(-20_000)}\nservice errors:\n${crashes}`,
        );
      }
      // It really ran every operation but the two test/fuzz/run.sh leaves out (the upload, adding a million codes), and found nothing.
      const tested = Number(/Tested:\s+(\d+)/.exec(output)?.[1] ?? 0);
      expect(tested).toBe(operations(doc).length - 2);
      expect(output).toMatch(/No issues found/);
    },
    8 * 60_000,
  );
});
