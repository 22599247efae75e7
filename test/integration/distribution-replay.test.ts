import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { encryptingDataConverter } from '../../src/codec/data-converter';
import { HISTORY_FIXTURE_KEY } from '../helpers/history-fixture-key';

/**
 * Histories of distribution workflows recorded from real runs, as protobuf.js `toObject` JSON:
 * by the code before the `patched()` changes (sent, cancelled by signal, cancelled from Temporal
 * during the grace period and while sending, pool exhausted), and `-recorded` ones by the code
 * with them (a Temporal cancel, all messages failed, audience deleted, pool exhausted then
 * resumed, an automatic distribution paused, resumed and cancelled). Each must replay with the current code: a change
 * that fails one would break distributions running during a deploy, and needs patched().
 * `-encrypted` ones were recorded under the fixture key (payloads encrypted, as every run's are
 * now): an automatic distribution and its event's delivery whose STATIC pool ran out, before
 * the stop was left to the lifecycle workflow and after (stopped, then resumed).
 * `snapshot-while-sending` ones (test/fixtures/record-distribution-histories.ts) deliver the
 * first snapshot batches while the next are written: sent in full, and a pool that ran dry
 * mid-snapshot (the rest snapshotted before the pool_exhausted records), then resumed.
 */
describe('distribution workflow histories', () => {
  const dir = path.join(__dirname, '../fixtures/histories');
  // Plain delivery histories are delivery-replay.test.ts's; the encrypted ones are replayed here with the key.
  const files = readdirSync(dir).filter(
    (f) => f.startsWith('distribution-') || (f.startsWith('delivery-') && f.endsWith('-encrypted.json')),
  );

  it('has the recorded histories', () => {
    expect(files.length).toBeGreaterThanOrEqual(17);
  });

  it.each(files)('replays %s with the current code', async (file) => {
    const history = temporal.api.history.v1.History.fromObject(
      JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>,
    );
    const options = file.endsWith('-encrypted.json')
      ? { dataConverter: encryptingDataConverter(HISTORY_FIXTURE_KEY) }
      : {};
    await expect(
      Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows'), ...options }, history),
    ).resolves.toBeUndefined();
  });
});
