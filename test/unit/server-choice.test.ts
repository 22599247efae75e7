import { candidateKinds, chooseFirst, describeChoice, type Candidate } from '../../src/embedded/server-choice';
import { MONGO_SERVER_ORDER } from '../../src/embedded/mongo-server';
import { TEMPORAL_SERVER_ORDER } from '../../src/embedded/temporal-dev-server';
import { MissingToolError } from '../../src/tools/install';

type Kind = (typeof MONGO_SERVER_ORDER)[number];

/** Candidates from a table of what this machine has: a value, or the reason it has not. */
function machine(has: Partial<Record<Kind, string | Error>>, kinds: Kind[]) {
  const obtained: Kind[] = [];
  const candidates: Array<Candidate<Kind, string>> = kinds.map((kind) => ({
    kind,
    obtain: async () => {
      obtained.push(kind);
      const value = has[kind] ?? new MissingToolError(`${kind} missing.`);
      if (value instanceof Error) throw value;
      return value;
    },
  }));
  return { candidates, obtained };
}

describe('order of preference', () => {
  it('prefers a real MongoDB, then a downloaded one, then the substitutes', () => {
    expect(MONGO_SERVER_ORDER).toEqual(['mongod', 'mongod-download', 'mongo-java-server', 'ferretdb']);
    expect(TEMPORAL_SERVER_ORDER).toEqual(['temporal', 'temporal-download', 'temporal-build']);
  });

  it('keeps the whole order for auto and only the forced kind otherwise', () => {
    expect(candidateKinds(MONGO_SERVER_ORDER, 'auto')).toEqual([...MONGO_SERVER_ORDER]);
    expect(candidateKinds(MONGO_SERVER_ORDER, 'mongo-java-server')).toEqual(['mongo-java-server']);
    expect(candidateKinds(TEMPORAL_SERVER_ORDER, 'temporal-build')).toEqual(['temporal-build']);
  });

  it('takes mongod on PATH without trying a download or a build', async () => {
    const { candidates, obtained } = machine(
      { mongod: '/usr/bin/mongod', 'mongod-download': '/cache/mongod', 'mongo-java-server': 'cp' },
      [...MONGO_SERVER_ORDER],
    );
    const choice = await chooseFirst(candidates, 'MongoDB server');
    expect(choice).toEqual({ kind: 'mongod', value: '/usr/bin/mongod', skipped: [] });
    expect(obtained).toEqual(['mongod']);
  });

  it('downloads mongod when none is on PATH, before building a substitute', async () => {
    const { candidates, obtained } = machine({ 'mongod-download': '/cache/mongod', 'mongo-java-server': 'cp' }, [
      ...MONGO_SERVER_ORDER,
    ]);
    const choice = await chooseFirst(candidates, 'MongoDB server');
    expect(choice.kind).toBe('mongod-download');
    expect(choice.skipped).toEqual([{ kind: 'mongod', reason: 'mongod missing.' }]);
    expect(obtained).toEqual(['mongod', 'mongod-download']);
  });

  it('falls back to mongo-java-server when the download failed, and says why in one line', async () => {
    const failed = new MissingToolError('could not download mongod from fastdl.mongodb.org (host not found).');
    const { candidates } = machine({ 'mongod-download': failed, 'mongo-java-server': 'cp', ferretdb: '/ferretdb' }, [
      ...MONGO_SERVER_ORDER,
    ]);
    const choice = await chooseFirst(candidates, 'MongoDB server');
    expect(choice.kind).toBe('mongo-java-server');
    expect(describeChoice(choice, ['MONGO_URL: unset'])).toBe(
      'mongo-java-server (not used: MONGO_URL: unset; mongod: mongod missing; mongod-download: could not download mongod from fastdl.mongodb.org (host not found))',
    );
  });

  it('takes FerretDB last', async () => {
    const { candidates } = machine({ ferretdb: '/ferretdb' }, [...MONGO_SERVER_ORDER]);
    expect((await chooseFirst(candidates, 'MongoDB server')).kind).toBe('ferretdb');
  });

  it('uses only the forced kind, even when an earlier one is present', async () => {
    const { candidates, obtained } = machine(
      { mongod: '/usr/bin/mongod', ferretdb: '/ferretdb' },
      candidateKinds(MONGO_SERVER_ORDER, 'ferretdb'),
    );
    expect((await chooseFirst(candidates, 'MongoDB server')).kind).toBe('ferretdb');
    expect(obtained).toEqual(['ferretdb']);
  });

  it('fails with every reason when nothing can be had, and a forced kind that is missing fails', async () => {
    await expect(chooseFirst(machine({}, [...MONGO_SERVER_ORDER]).candidates, 'MongoDB server')).rejects.toThrow(
      'No MongoDB server: mongod: mongod missing. mongod-download: mongod-download missing. mongo-java-server: mongo-java-server missing. ferretdb: ferretdb missing.',
    );
    const forced = machine({ mongod: '/usr/bin/mongod' }, candidateKinds(MONGO_SERVER_ORDER, 'mongod-download'));
    await expect(chooseFirst(forced.candidates, 'MongoDB server')).rejects.toThrow(MissingToolError);
  });

  it('stops on a fault that is not a missing tool (a build that broke) instead of hiding it', async () => {
    const { candidates, obtained } = machine(
      { 'mongo-java-server': new Error('javac failed'), ferretdb: '/ferretdb' },
      [...MONGO_SERVER_ORDER],
    );
    await expect(chooseFirst(candidates, 'MongoDB server')).rejects.toThrow('javac failed');
    expect(obtained).not.toContain('ferretdb');
  });
});
