import { createAppKey, hashToken, seedAppKey, verifyAppKey } from '../../src/auth/app-keys';
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
    await expect(AppKey.create({ _id: 'unique-id', name: 'second', tokenHash: 'b' })).rejects.toMatchObject({ code: 11000 });
    expect((await AppKey.findById('unique-id').lean())?.name).toBe('first');
  });

  it('stores only a hash of the token and verifies the pair', async () => {
    const { AppKey } = t.ctx.models;
    const { appId, appToken } = await createAppKey(AppKey, 'ops');
    const raw = await t.ctx.db.collection('app_keys').findOne({ _id: appId as never });
    expect(JSON.stringify(raw)).not.toContain(appToken);
    await expect(verifyAppKey(AppKey, appId, appToken)).resolves.toBe(true);
    await expect(verifyAppKey(AppKey, appId, `${appToken}x`)).resolves.toBe(false);
    await expect(verifyAppKey(AppKey, 'no-such-app', appToken)).resolves.toBe(false);
  });

  it('seeds the environment key idempotently and follows a rotated token', async () => {
    const { AppKey } = t.ctx.models;
    await seedAppKey(AppKey, 'env-app', 'first-token');
    await seedAppKey(AppKey, 'env-app', 'first-token');
    expect(await AppKey.countDocuments({ _id: 'env-app' })).toBe(1);
    await seedAppKey(AppKey, 'env-app', 'rotated-token');
    await expect(verifyAppKey(AppKey, 'env-app', 'first-token')).resolves.toBe(false);
    await expect(verifyAppKey(AppKey, 'env-app', 'rotated-token')).resolves.toBe(true);
  });
});
