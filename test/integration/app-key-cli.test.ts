import { spawn } from 'node:child_process';
import { ROOT_DIR } from '../../src/config';
import { createTestContext, type TestContext } from '../helpers/context';

/** `npm run app-key -- …` against the test's own database. */
function appKey(t: TestContext, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/app-key.ts', ...args], {
      cwd: ROOT_DIR,
      env: { ...process.env, MONGO_URL: process.env.TEST_MONGO_URL, MONGO_DB: t.ctx.db.name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run app-key', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('appkeycli');
  });
  afterAll(() => t.close());

  it('creates admin keys by default and the role --role names, lists roles, and never revokes the last admin key', async () => {
    // Start from no live admin key but the one this test makes.
    await t.ctx.models.AppKey.updateMany({}, { $set: { revokedAt: new Date() } });
    const admin = await appKey(t, ['create', 'first operator']);
    expect(admin.code).toBe(0);
    expect(admin.stdout).toMatch(/Role:\s+admin/);
    const adminId = /X-App-Id:\s+(\S+)/.exec(admin.stdout)![1]!;
    const reader = await appKey(t, ['create', 'dashboard', '--role', 'read']);
    expect(reader.code).toBe(0);
    const readerId = /X-App-Id:\s+(\S+)/.exec(reader.stdout)![1]!;
    expect((await t.ctx.models.AppKey.findById(readerId).lean())?.role).toBe('read');

    const listed = await appKey(t, ['list']);
    expect(listed.stdout).toContain(`${adminId}\tadmin\tfirst operator`);
    expect(listed.stdout).toContain(`${readerId}\tread\tdashboard`);

    expect((await appKey(t, ['create', 'x', '--role', 'root'])).code).toBe(2);
    const last = await appKey(t, ['revoke', adminId]);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('last admin key');
    expect((await appKey(t, ['revoke', readerId])).code).toBe(0);
    expect(await t.ctx.models.AppKey.countDocuments({ revokedAt: { $exists: false } })).toBe(1);
  });
});
