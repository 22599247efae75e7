import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import request from 'supertest';
import type { Express } from 'express';
import type { AsyncActionJson } from '../../src/imports/async-action-json';
import { WorkflowNotFoundError } from '@temporalio/client';
import { acceptImport, startImportWorkflow, startStalledImports } from '../../src/imports/customer-imports';
import { importedCustomerId } from '../../src/imports/customer-writer';
import { runImport } from '../../src/imports/import-run';
import { newUploadId, storeUpload } from '../../src/imports/upload-store';
import { createApp } from '../../src/http/app';
import { startWorker, type Stoppable } from '../../src/runtime';
import { createTestContext, type TestContext } from '../helpers/context';
import { eventually, listenWithSdk } from '../helpers/sdk';
import { customerImportWorkflowId } from '../../workflows/contracts/customer-import';

/** Small enough that the 413 test needs only a few hundred kB. */
const MAX_UPLOAD = 64 * 1024;

/**
 * Calls the SDK's customers.importCSV in a plain Node process: it loads `fs` with a dynamic
 * import(), which Jest's module sandbox refuses without --experimental-vm-modules.
 */
async function importCsvWithSdk(
  apiUrl: string,
  auth: { 'X-App-Id': string; 'X-App-Token': string },
  file: string,
): Promise<{ async_action_id: string }> {
  const script = `
    const { VoucherifyServerSide } = require('@voucherify/sdk');
    const client = VoucherifyServerSide({ apiUrl: process.env.API_URL, applicationId: process.env.APP_ID, secretKey: process.env.APP_TOKEN });
    client.customers.importCSV(process.env.CSV_FILE).then(
      (res) => process.stdout.write(JSON.stringify(res)),
      (err) => { process.stderr.write(String(err && err.message)); process.exit(1); },
    );`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, API_URL: apiUrl, APP_ID: auth['X-App-Id'], APP_TOKEN: auth['X-App-Token'], CSV_FILE: file },
  });
  return JSON.parse(stdout) as { async_action_id: string };
}

/** A POST with Transfer-Encoding: chunked (no Content-Length), sent in 16 kB pieces. */
function postChunked(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // The server may stop reading once it has answered; the answer is what matters here.
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
    );
    for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.subarray(i, i + 16 * 1024));
    req.end();
  });
}

describe('customer import (CSV, JSON, NDJSON, bulk update) through the app and a worker', () => {
  let t: TestContext;
  let app: Express;
  let sdk: Awaited<ReturnType<typeof listenWithSdk>>;
  let worker: Stoppable | undefined;
  let tmp: string;

  beforeAll(async () => {
    t = await createTestContext('import');
    app = createApp({ ...t.ctx, importMaxBytes: MAX_UPLOAD });
    sdk = await listenWithSdk(app, t.auth);
    worker = await startWorker(t.ctx, t.temporalAddress);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'customer-import-'));
  });
  afterAll(async () => {
    try {
      await worker?.stop();
    } finally {
      await sdk?.close();
      await t.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  const actionOf = async (id: string) =>
    (await request(app).get(`/v1/async-actions/${id}`).set(t.auth)).body as AsyncActionJson;
  const finished = (id: string) =>
    eventually(
      async () => {
        const action = await actionOf(id);
        return action.status === 'DONE' || action.status === 'FAILED' ? action : undefined;
      },
      30_000,
      `async action ${id} to finish`,
    );
  const storedUploads = () => t.ctx.db.collection('uploads.files').countDocuments();

  it('imports a CSV sent by the SDK’s customers.importCSV, reporting bad rows by row, field and reason', async () => {
    const segment = await request(app)
      .post('/v1/segments')
      .set(t.auth)
      .send({
        name: 'Gold',
        type: 'auto-update',
        filter: { junction: 'and', 'metadata.tier': { conditions: { $is: ['gold'] } } },
      });
    expect(segment.status).toBe(200);
    await eventually(
      async () =>
        (await t.ctx.models.Segment.findById(segment.body.id).lean())?.sync_status === 'synced' ? true : undefined,
      30_000,
      'segment synced',
    );
    const existing = await sdk.createCustomer({ source_id: 'csv-7', name: 'Old name', metadata: { kept: 'yes' } });

    const lines = ['source_id,Name,email,birthdate,Address City,Postal code,tier,metadata.score'];
    for (let i = 1; i <= 300; i++)
      lines.push(
        `csv-${i},Customer ${i},c${i}@example.com,1990-01-${String((i % 28) + 1).padStart(2, '0')},Berlin,10115,${i % 3 === 0 ? 'gold' : 'silver'},${i}`,
      );
    lines[5] = 'csv-5,Customer 5,not-an-email,,,,silver,5';
    lines[10] = 'csv-10,Customer 10,c10@example.com,1990-02-31x,,,silver,10';
    lines[20] = 'csv-20,Customer 20';
    lines.push('csv-301,"Unclosed quote,c301@example.com,,,,,');
    const file = path.join(tmp, 'customers.csv');
    fs.writeFileSync(file, lines.join('\n') + '\n');

    const { async_action_id: id } = await importCsvWithSdk(sdk.url, t.auth, file);
    expect(id).toMatch(/^aa_/);
    const action = await eventually(
      async () => {
        const polled = await sdk.client.asyncActions.get(id);
        return polled.status === 'DONE' || polled.status === 'FAILED' ? polled : undefined;
      },
      30_000,
      'import done',
    );
    expect(action).toMatchObject({
      id,
      type: 'CUSTOMERS_IMPORT_CSV',
      status: 'DONE',
      operation_status: 'PARTIALLY_SUCCESS',
      progress: 100,
      object: 'async_action',
    });
    expect(action.result).toEqual({
      done_count: 297,
      failed_count: 4,
      errors: [
        { row: 5, field: 'email', reason: expect.stringMatching(/email/i) },
        { row: 10, field: 'birthdate', reason: 'birthdate must be YYYY-MM-DD' },
        { row: 20, field: '(row)', reason: expect.stringMatching(/expected 8 values.*has 2/) },
        { row: 301, field: '(row)', reason: expect.stringMatching(/malformed CSV: Quote Not Closed/) },
      ],
      errors_truncated: false,
      message: '297 customers imported, 4 rows failed.',
    });

    const imported = await sdk.getCustomer('csv-3');
    expect(imported).toMatchObject({
      name: 'Customer 3',
      email: 'c3@example.com',
      birthdate: '1990-01-04',
      address: { city: 'Berlin', postal_code: '10115' },
      metadata: { tier: 'gold', score: '3' },
    });
    const updated = await sdk.getCustomer('csv-7');
    expect(updated).toMatchObject({
      id: existing.id,
      name: 'Customer 7',
      metadata: { kept: 'yes', tier: 'silver', score: '7' },
    });
    for (const bad of ['csv-5', 'csv-10', 'csv-20', 'csv-301'])
      await expect(sdk.getCustomer(bad)).rejects.toMatchObject({ code: 404 });
    expect(await t.ctx.models.Customer.countDocuments({ source_id: /^csv-/ })).toBe(297);

    // Bulk-inserted customers join auto-update segments and raise entered events like any other write.
    const members = await t.ctx.models.Customer.countDocuments({ segments: segment.body.id });
    expect(members).toBe(100);
    await eventually(
      async () =>
        (await t.ctx.models.DomainEvent.countDocuments({
          type: 'customer.segment.entered',
          'data.segment.id': segment.body.id,
        })) === 100
          ? true
          : undefined,
      20_000,
      'entered events',
    );
    expect(await storedUploads()).toBe(0);
  });

  it('streams a JSON array and NDJSON from the raw body', async () => {
    const array = [
      { source_id: 'json-1', name: 'A', metadata: { n: 1, nested: { ok: true } } },
      { source_id: 'json-2', email: 'nope' },
      'not an object',
      { name: 'No source id' },
    ];
    const json = await request(app)
      .post('/v1/customers/import')
      .set(t.auth)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(array));
    expect(json.status).toBe(202);
    const jsonAction = await finished(json.body.async_action_id);
    expect(jsonAction).toMatchObject({
      type: 'CUSTOMERS_IMPORT',
      status: 'DONE',
      result: { done_count: 2, failed_count: 2 },
    });
    expect(jsonAction.result.errors).toEqual([
      { row: 2, field: 'email', reason: expect.any(String) },
      { row: 3, field: '(row)', reason: 'expected a customer object, got a string' },
    ]);
    expect(await sdk.getCustomer('json-1')).toMatchObject({ metadata: { n: 1, nested: { ok: true } } });
    expect(await t.ctx.models.Customer.countDocuments({ name: 'No source id' })).toBe(1);

    const ndjson = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({ source_id: `nd-${i + 1}`, phone: `+4930${i}` }),
    )
      .join('\n')
      .replace('{"source_id":"nd-50"', '{"source_id":"nd-50",');
    const res = await request(app)
      .post('/v1/customers/import')
      .set(t.auth)
      .set('Content-Type', 'application/x-ndjson')
      .send(ndjson);
    expect(res.status).toBe(202);
    const action = await finished(res.body.async_action_id);
    expect(action).toMatchObject({
      status: 'DONE',
      result: {
        done_count: 199,
        failed_count: 1,
        errors: [{ row: 50, field: '(row)', reason: expect.stringMatching(/^invalid JSON/) }],
      },
    });
    expect(await sdk.getCustomer('nd-200')).toMatchObject({ phone: '+4930199' });

    const allBad = await request(app)
      .post('/v1/customers/import')
      .set(t.auth)
      .set('Content-Type', 'application/x-ndjson')
      .send('42\n'.repeat(1005));
    const capped = await finished(allBad.body.async_action_id);
    expect(capped).toMatchObject({
      status: 'DONE',
      operation_status: 'FAILED',
      result: {
        done_count: 0,
        failed_count: 1005,
        errors_truncated: true,
        message: expect.stringMatching(/first 1000 row errors/),
      },
    });
    expect(capped.result.errors).toHaveLength(1000);
    expect(capped.result.errors.at(-1)).toEqual({
      row: 1000,
      field: '(row)',
      reason: 'expected a customer object, got a number',
    });
  });

  it('stores an imported customer exactly as POST /v1/customers stores it', async () => {
    const fields = {
      name: 'Same',
      email: 'same@example.com',
      birthdate: '1985-05-05',
      address: { city: 'Oslo', postal_code: null },
      metadata: { a: '1' },
    };
    expect(
      (
        await request(app)
          .post('/v1/customers')
          .set(t.auth)
          .send({ source_id: 'shape-api', ...fields })
      ).status,
    ).toBe(200);
    const res = await request(app)
      .post('/v1/customers/import')
      .set(t.auth)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify([{ source_id: 'shape-import', ...fields }]));
    expect((await finished(res.body.async_action_id)).result.done_count).toBe(1);
    const strip = ({ _id, source_id, source_id_key, created_at, updated_at, ...rest }: Record<string, unknown>) => rest;
    const [viaApi, viaImport] = await Promise.all(
      ['shape-api', 'shape-import'].map((key) => t.ctx.models.Customer.findOne({ source_id_key: key }).lean()),
    );
    expect(viaImport).not.toBeNull();
    expect(strip(viaImport as unknown as Record<string, unknown>)).toEqual(
      strip(viaApi as unknown as Record<string, unknown>),
    );
  });

  it('types CSV metadata by the customer metadata schema and reports values that break it', async () => {
    await sdk.createCustomer({ source_id: 'ms-4', metadata: { points: 1 } });
    const schema = await request(app)
      .put('/v1/metadata-schemas/customer')
      .set(t.auth)
      .send({
        properties: {
          points: { type: 'number' },
          vip: { type: 'boolean' },
          tags: { type: 'string', array: true },
          tier: { type: 'string', in: ['gold', 'silver'] },
        },
      });
    expect(schema.status).toBe(200);
    try {
      const csv = [
        'source_id,points,vip,tags,tier,note',
        'ms-1,42,TRUE,"a, b",gold,hello',
        'ms-2,many,false,,gold,',
        'ms-3,1,yes,,bronze,',
        'ms-4,lots,,,,',
      ].join('\n');
      const res = await request(app)
        .post('/v1/customers/importCSV')
        .set(t.auth)
        .attach('file', Buffer.from(csv), 'typed.csv');
      const action = await finished(res.body.async_action_id);
      expect(action.result).toMatchObject({
        done_count: 1,
        failed_count: 3,
        errors: [
          { row: 2, field: 'metadata.points', reason: 'expected a number' },
          { row: 3, field: 'metadata.vip', reason: 'expected true or false' },
          { row: 3, field: 'metadata.tier', reason: 'expected one of gold, silver' },
          { row: 4, field: 'metadata.points', reason: 'expected a number' },
        ],
      });
      expect((await sdk.getCustomer('ms-1')).metadata).toEqual({
        points: 42,
        vip: true,
        tags: ['a', 'b'],
        tier: 'gold',
        note: 'hello',
      });
      expect((await sdk.getCustomer('ms-4')).metadata).toEqual({ points: 1 });
    } finally {
      await request(app).delete('/v1/metadata-schemas/customer').set(t.auth);
    }
  });

  it('updates customers in bulk through the SDK’s customers.updateInBulk', async () => {
    await sdk.createCustomer({ source_id: 'bulk-1', name: 'Before', metadata: { a: '1' } });
    // The SDK's types insist on a source_id; the third customer lacks one on purpose.
    const customers = [
      { source_id: 'bulk-1', metadata: { b: '2' } },
      { source_id: 'bulk-2', name: 'Created by bulk' },
      { name: 'no key' },
    ];
    const { async_action_id: id } = await sdk.client.customers.updateInBulk(customers as never);
    const action = await finished(id);
    expect(action).toMatchObject({
      type: 'CUSTOMERS_BULK_UPDATE',
      status: 'DONE',
      result: { done_count: 2, failed_count: 1, errors: [{ row: 3, field: 'source_id' }] },
    });
    expect(await sdk.getCustomer('bulk-1')).toMatchObject({ name: 'Before', metadata: { a: '1', b: '2' } });
    expect(await sdk.getCustomer('bulk-2')).toMatchObject({ name: 'Created by bulk' });
  });

  it('fails an action whose file is empty, has no header, or is not text, with a clear message', async () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ['empty.csv', Buffer.alloc(0), /file is empty/],
      ['no-header.csv', Buffer.from('c1,Ann,ann@example.com\nc2,Bob,bob@example.com\n'), /first line must be a header/],
      ['picture.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]), /not UTF-8 text/],
    ];
    for (const [name, content, reason] of cases) {
      const res = await request(app).post('/v1/customers/importCSV').set(t.auth).attach('file', content, name);
      expect(res.status).toBe(202);
      const action = await finished(res.body.async_action_id);
      expect(action).toMatchObject({
        status: 'FAILED',
        operation_status: 'FAILED',
        result: { done_count: 0, message: expect.stringMatching(reason) },
      });
    }
    expect(await storedUploads()).toBe(0);
  });

  it('refuses uploads over the limit with 413, declared or streamed, and stores nothing', async () => {
    const actionsBefore = await t.ctx.models.AsyncAction.countDocuments();
    const big = Buffer.from('source_id,name\n' + 'x,'.repeat(MAX_UPLOAD));
    const declared = await request(app).post('/v1/customers/importCSV').set(t.auth).attach('file', big, 'big.csv');
    expect(declared.status).toBe(413);
    expect(declared.body).toMatchObject({ code: 413, key: 'payload_too_large' });

    // No Content-Length: the limit applies while the body streams in.
    const streamed = await postChunked(
      `${sdk.url}/v1/customers/import`,
      { ...t.auth, 'Content-Type': 'application/x-ndjson' },
      big,
    );
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({ code: 413, key: 'payload_too_large' });
    const multipart = Buffer.concat([
      Buffer.from(
        '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n',
      ),
      big,
      Buffer.from('\r\n--XyZ--\r\n'),
    ]);
    const streamedCsv = await postChunked(
      `${sdk.url}/v1/customers/importCSV`,
      { ...t.auth, 'Content-Type': 'multipart/form-data; boundary=XyZ' },
      multipart,
    );
    expect(streamedCsv.status).toBe(413);
    expect(await t.ctx.models.AsyncAction.countDocuments()).toBe(actionsBefore);
    expect(await storedUploads()).toBe(0);
  });

  it('answers 400, 401, 404 and 415 for requests that are not imports at all', async () => {
    expect(
      (await request(app).post('/v1/customers/importCSV').attach('file', Buffer.from('email\n'), 'a.csv')).status,
    ).toBe(401);
    expect((await request(app).post('/v1/customers/importCSV').set(t.auth).field('other', 'x')).body).toMatchObject({
      code: 400,
      key: 'missing_file',
    });
    expect((await request(app).post('/v1/customers/importCSV').set(t.auth).send({ a: 1 })).status).toBe(415);
    expect(
      (await request(app).post('/v1/customers/import').set(t.auth).set('Content-Type', 'text/plain').send('x')).status,
    ).toBe(415);
    expect(
      (await request(app).post('/v1/customers/bulk/async').set(t.auth).send({ source_id: 'x' })).body,
    ).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect((await request(app).get('/v1/async-actions/aa_missing').set(t.auth)).body).toMatchObject({
      code: 404,
      resource_type: 'async_action',
    });
    const list = await request(app).get('/v1/async-actions?limit=2').set(t.auth);
    expect(list.body).toMatchObject({
      object: 'list',
      data_ref: 'async_actions',
      async_actions: [{ object: 'async_action' }, { object: 'async_action' }],
    });
    expect(list.body.async_actions[0].result).toBeUndefined();
    const docs = (await request(app).get('/openapi.json')).body as {
      paths: Record<string, { post?: { requestBody?: { content: object } } }>;
    };
    expect(Object.keys(docs.paths['/v1/customers/importCSV']?.post?.requestBody?.content ?? {})).toEqual([
      'multipart/form-data',
    ]);
    expect(docs.paths['/v1/async-actions/{id}']).toBeDefined();
  });

  it('starts an import a crash left unstarted (stored and recorded, no workflow), and never runs a finished one again', async () => {
    const id = 'aa_orphan';
    const fileId = newUploadId();
    const csv = 'name,email\nOrphan One,orphan1@example.com\nOrphan Two,orphan2@example.com\n';
    // As acceptImport leaves it when the process dies between recording the action and starting its workflow.
    const bytes = await storeUpload(t.ctx.db, fileId, Readable.from([csv]), {
      maxBytes: MAX_UPLOAD,
      filename: 'orphan.csv',
      asyncActionId: id,
    });
    await t.ctx.models.AsyncAction.create({
      _id: id,
      type: 'CUSTOMERS_IMPORT_CSV',
      status: 'ENQUEUED',
      upload: { file_id: fileId, format: 'csv', bytes, filename: 'orphan.csv' },
    });
    const handle = t.ctx.temporal.workflow.getHandle(customerImportWorkflowId(id));
    await expect(handle.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    expect(await startStalledImports(t.ctx, 0)).toBeGreaterThanOrEqual(1);
    expect(await finished(id)).toMatchObject({ status: 'DONE', result: { done_count: 2, failed_count: 0 } });
    expect(await t.ctx.models.Customer.countDocuments({ email: /^orphan[12]@example[.]com$/ })).toBe(2);

    // Read as ENQUEUED again (a stale write): its finished workflow's id is refused, nothing runs twice.
    const { runId } = await handle.describe();
    await t.ctx.models.AsyncAction.updateOne({ _id: id }, { $set: { status: 'ENQUEUED' } });
    expect(await startImportWorkflow(t.ctx, id)).toBe(false);
    await startStalledImports(t.ctx, 0);
    expect((await handle.describe()).runId).toBe(runId);
    expect((await t.ctx.models.AsyncAction.findById(id).lean())?.status).toBe('ENQUEUED');
    await t.ctx.models.AsyncAction.updateOne({ _id: id }, { $set: { status: 'DONE' } });
  });

  it('resumes from the committed cursor, and a batch written twice creates no second customer', async () => {
    const csv =
      'name,email\n' + Array.from({ length: 120 }, (_, i) => `Anon ${i + 1},anon${i + 1}@example.com`).join('\n');
    // Stored and recorded like an upload, but run by hand instead of by the workflow.
    const id = await acceptImport(
      { ...t.ctx, taskQueue: `${t.ctx.taskQueue}-unpolled` },
      { type: 'CUSTOMERS_IMPORT_CSV', format: 'csv', filename: 'anon.csv', source: Readable.from([csv]) },
    );
    const deps = { db: t.ctx.db, models: t.ctx.models, customers: t.ctx.customers };
    expect(await runImport(deps, id, { maxRows: 50, batchRows: 50 })).toEqual({ done: false });
    const afterFirst = await t.ctx.models.AsyncAction.findById(id).lean();
    expect(afterFirst).toMatchObject({
      status: 'IN_PROGRESS',
      cursor: { row: 50 },
      csv_header: ['name', 'email'],
      result: { done_count: 50 },
    });

    // A crash after the second batch's writes but before its commit: the next attempt writes it again.
    expect(await runImport(deps, id, { maxRows: 50, batchRows: 50 })).toEqual({ done: false });
    await t.ctx.models.AsyncAction.updateOne(
      { _id: id },
      { $set: { cursor: afterFirst!.cursor, 'result.done_count': 50 } },
    );
    expect(await runImport(deps, id, { maxRows: 1000, batchRows: 50 })).toEqual({ done: true });

    const after = await t.ctx.models.AsyncAction.findById(id).lean();
    expect(after).toMatchObject({ cursor: { row: 120 }, result: { done_count: 120, failed_count: 0 } });
    expect(await t.ctx.models.Customer.countDocuments({ name: /^Anon / })).toBe(120);
    expect(await t.ctx.models.Customer.findById(importedCustomerId(id, 77)).lean()).toMatchObject({
      name: 'Anon 77',
      email: 'anon77@example.com',
    });
  });
});
