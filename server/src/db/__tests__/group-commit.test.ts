import { GroupCommit } from '../group-commit';

/** A batch runner whose batches finish when the test says so. */
function controlledRunner() {
  const batches: { items: string[]; finish: (err?: Error) => void }[] = [];
  const run = (items: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push({ items, finish: (err) => (err ? reject(err) : resolve(items.map((i) => `${i}!`))) });
    });
  return { batches, run };
}

/** Lets scheduled batches start: the batcher waits one turn of the event loop to gather what arrives together. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('puts what arrives in one turn into one batch, in order, and answers each item', async () => {
    const { batches, run } = controlledRunner();
    const gc = new GroupCommit<string, string>({ keyOf: () => 't', maxInFlight: 2, maxBatch: 10, run });
    const answers = ['a', 'b', 'c'].map((i) => gc.submit(i));
    await turn();
    expect(batches.map((b) => b.items)).toEqual([['a', 'b', 'c']]);
    batches[0]!.finish();
    expect(await Promise.all(answers)).toEqual(['a!', 'b!', 'c!']);
  });

  it('splits at maxBatch and never mixes keys', async () => {
    const { batches, run } = controlledRunner();
    const gc = new GroupCommit<string, string>({ keyOf: (i) => i[0]!, maxInFlight: 5, maxBatch: 2, run });
    const answers = ['x1', 'y1', 'x2', 'x3', 'y2'].map((i) => gc.submit(i));
    await turn();
    expect(batches.map((b) => b.items).sort()).toEqual([['x1', 'x2'], ['x3'], ['y1', 'y2']]);
    for (const b of batches) b.finish();
    expect(await Promise.all(answers)).toEqual(['x1!', 'y1!', 'x2!', 'x3!', 'y2!']);
  });

  it('holds what arrives while maxInFlight batches run and sends it together when one ends', async () => {
    const { batches, run } = controlledRunner();
    const gc = new GroupCommit<string, string>({ keyOf: () => 't', maxInFlight: 1, maxBatch: 10, run });
    const first = gc.submit('a');
    await turn();
    const later = ['b', 'c', 'd'].map((i) => gc.submit(i));
    await turn();
    await turn();
    expect(batches.map((b) => b.items)).toEqual([['a']]);
    batches[0]!.finish();
    expect(await first).toBe('a!');
    await turn();
    expect(batches.map((b) => b.items)).toEqual([['a'], ['b', 'c', 'd']]);
    batches[1]!.finish();
    expect(await Promise.all(later)).toEqual(['b!', 'c!', 'd!']);
  });

  it('fails every item of a failed batch with its error, and only those', async () => {
    const { batches, run } = controlledRunner();
    const gc = new GroupCommit<string, string>({ keyOf: () => 't', maxInFlight: 1, maxBatch: 10, run });
    const failed = ['a', 'b'].map((i) => gc.submit(i));
    await turn();
    const next = gc.submit('c');
    batches[0]!.finish(new Error('deadlock'));
    for (const answer of failed) await expect(answer).rejects.toThrow('deadlock');
    await turn();
    expect(batches.map((b) => b.items)).toEqual([['a', 'b'], ['c']]);
    batches[1]!.finish();
    expect(await next).toBe('c!');
  });
});
