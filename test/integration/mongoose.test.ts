import { createAppKey, hashToken, revokeAppKey, seedAppKey, verifyAppKey } from '../../src/auth/app-keys';
import { createTestContext, type TestContext } from '../helpers/context';

describe('mongoose against the real database server', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('mongoose');
  });
  afterAll(() => t.close());

  it('writes a document and reads it back', async () => {
    const { AppKey } = t.ctx.models;
    await AppKey.create({ _id: 'written-and-read', name: 'round trip', tokenHash: hashToken('secret') });
    const read = await AppKey.findById('written-and-read').lean();
    expect(read).toMatchObject({ _id: 'written-and-read', name: 'round trip', tokenHash: hashToken('secret') });
    expect(read?.createdAt).toBeInstanceOf(Date);
  });

  it('refuses a second document with the same _id (the dedup primitive later claims rest on)', async () => {
    const { AppKey } = t.ctx.models;
    await AppKey.create({ _id: 'unique-id', name: 'first', tokenHash: 'a' });
    await expect(AppKey.create({ _id: 'unique-id', name: 'second', tokenHash: 'b' })).rejects.toMatchObject({
      code: 11000,
    });
    expect((await AppKey.findById('unique-id').lean())?.name).toBe('first');
  });

  it('stores only a hash of the token and verifies the pair', async () => {
    const { AppKey } = t.ctx.models;
    const { appId, appToken } = await createAppKey(AppKey, 'ops', 'write');
    const raw = await t.ctx.db.collection('app_keys').findOne({ _id: appId as never });
    expect(JSON.stringify(raw)).not.toContain(appToken);
    await expect(verifyAppKey(AppKey, appId, appToken)).resolves.toEqual({ id: appId, role: 'write' });
    await expect(verifyAppKey(AppKey, appId, `${appToken}x`)).resolves.toBeUndefined();
    await expect(verifyAppKey(AppKey, 'no-such-app', appToken)).resolves.toBeUndefined();
  });

  it('seeds the environment key idempotently and follows a rotated token', async () => {
    const { AppKey } = t.ctx.models;
    await seedAppKey(AppKey, 'env-app', 'first-token');
    await seedAppKey(AppKey, 'env-app', 'first-token');
    expect(await AppKey.countDocuments({ _id: 'env-app' })).toBe(1);
    await seedAppKey(AppKey, 'env-app', 'rotated-token');
    await expect(verifyAppKey(AppKey, 'env-app', 'first-token')).resolves.toBeUndefined();
    await expect(verifyAppKey(AppKey, 'env-app', 'rotated-token')).resolves.toEqual({ id: 'env-app', role: 'admin' });
  });

  it('keeps a revoked environment key revoked when it is seeded again (as at the next start)', async () => {
    const { AppKey } = t.ctx.models;
    await seedAppKey(AppKey, 'env-revoked', 'env-token');
    await expect(revokeAppKey(t.ctx.models, 'env-revoked')).resolves.toBe('revoked');
    await expect(seedAppKey(AppKey, 'env-revoked', 'env-token')).resolves.toBe('revoked');
    await expect(seedAppKey(AppKey, 'env-revoked', 'a-new-token')).resolves.toBe('revoked');
    await expect(verifyAppKey(AppKey, 'env-revoked', 'env-token')).resolves.toBeUndefined();
    await expect(verifyAppKey(AppKey, 'env-revoked', 'a-new-token')).resolves.toBeUndefined();
  });

  it('takes over a revocation lock whose holder died, once its lease has run out', async () => {
    const { AppKey, Lock } = t.ctx.models;
    const { appId } = await createAppKey(AppKey, 'behind a stale lock', 'read');
    await Lock.create({
      _id: 'app-key-revocation',
      holder: 'a crashed process',
      expiresAt: new Date(Date.now() - 1000),
    });
    await expect(revokeAppKey(t.ctx.models, appId)).resolves.toBe('revoked');
    expect(await Lock.countDocuments({ _id: 'app-key-revocation' })).toBe(0);
  });

  it('revokes concurrently without ever removing the last admin key', async () => {
    const { AppKey } = t.ctx.models;
    // This database already holds the test's own admin key and others; start from admins made here only.
    await AppKey.updateMany({}, { $set: { revokedAt: new Date() } });
    const ids = await Promise.all(
      [1, 2, 3, 4].map(async (n) => (await createAppKey(AppKey, `admin ${n}`, 'admin')).appId),
    );
    const outcomes = await Promise.all([...ids, ...ids].map((id) => revokeAppKey(t.ctx.models, id)));
    // Each id is revoked twice at once: the second of a pair finds it gone, and the last admin standing refuses both.
    expect(outcomes.filter((o) => o === 'revoked')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'last_admin').length).toBeGreaterThanOrEqual(1);
    expect(outcomes.every((o) => ['revoked', 'not_found', 'last_admin'].includes(o))).toBe(true);
    expect(await AppKey.countDocuments({ revokedAt: { $exists: false } })).toBe(1);
  });
});
