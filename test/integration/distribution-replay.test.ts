import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

/**
 * Histories of manual distribution workflows recorded from real runs (sent, cancelled by signal,
 * cancelled from Temporal during the grace period and while sending, pool exhausted — by the code
 * before `patched()` changes; `-recorded` ones by code that already had the patch their run took), as protobuf.js
 * `toObject` JSON. Each must replay with the current code: a change
 * that fails one would break distributions running during a deploy, and needs patched().
 */
describe('distribution workflow histories', () => {
  const dir = path.join(__dirname, '../fixtures/histories');
  const files = readdirSync(dir).filter((f) => f.startsWith('distribution-'));

  it('has the recorded histories', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)('replays %s with the current code', async (file) => {
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>);
    await expect(Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows') }, history)).resolves.toBeUndefined();
  });
});
