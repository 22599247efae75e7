import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

/**
 * Histories of the delivery workflow recorded by test/fixtures/record-delivery-histories.ts
 * (delivered, pool exhausted then the distribution stopped, distribution no longer active), as protobuf.js `toObject` JSON. All replay in
 * one call of Worker.runReplayHistories: a change that fails one would break deliveries running
 * during a deploy, and needs patched().
 */
describe('delivery workflow histories', () => {
  const dir = path.join(__dirname, '../fixtures/histories');
  // `-encrypted` ones need the fixture key: distribution-replay.test.ts replays those.
  const files = readdirSync(dir).filter((f) => f.startsWith('delivery-') && !f.endsWith('-encrypted.json'));

  it('replays every recorded history with the current code', async () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    const histories = files.map((file) => ({
      workflowId: file,
      history: temporal.api.history.v1.History.fromObject(
        JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>,
      ),
    }));
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowsPath: require.resolve('../../workflows') },
      histories,
    ))
      results.push(result);
    expect(results.map((r) => r.workflowId).sort()).toEqual([...files].sort());
    for (const r of results)
      expect({ file: r.workflowId, error: r.error }).toEqual({ file: r.workflowId, error: undefined });
  });
});
