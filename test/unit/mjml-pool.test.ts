import { closeMjmlPool, compileInWorker } from '../../src/templates/mjml-pool';
import { compileMjml, MJML_MAX_CHARS, validateMjml } from '../../src/templates/mjml';

const section =
  '<mj-section><mj-column><mj-text font-size="14px">Hello {{customer.name}} <b>bold</b> <a href="https://x.example">link</a></mj-text><mj-button href="https://x.example">Go</mj-button></mj-column></mj-section>';
const mjml = (sections: number) => `<mjml><mj-body>${section.repeat(sections)}</mj-body></mjml>`;

describe('MJML compiled off the event loop', () => {
  afterAll(() => closeMjmlPool());

  it('compiles in a worker thread, with placeholders intact', async () => {
    const html = await compileMjml(mjml(1));
    expect(html).toContain('Hello {{customer.name}}');
    expect(html).toMatch(/<html/);
    await expect(compileInWorker('<mjml><mj-body><mj-nosuch/></mj-body></mjml>')).rejects.toThrow(
      /^invalid MJML: line \d+: .*mj-nosuch/,
    );
  });

  it('keeps the event loop turning during a long compile, and ends a compile past its timeout', async () => {
    await compileInWorker(mjml(1)); // a warm worker: mjml loaded
    let ticks = 0;
    let worstGapMs = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      worstGapMs = Math.max(worstGapMs, now - last);
      last = now;
      ticks++;
    }, 10);
    try {
      // ~450 KB of MJML: seconds of compile work, on the loop it would stop the timer for all of it.
      await expect(compileInWorker(mjml(2000), 400)).rejects.toThrow('invalid MJML: it did not compile within 400 ms');
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(5);
    // Generous: on the loop the gap would be the whole compile (seconds).
    expect(worstGapMs).toBeLessThan(1000);
    // The pool replaced the ended worker: the next compile works.
    expect(await compileInWorker(mjml(2))).toContain('Hello {{customer.name}}');
  });

  it('refuses MJML over the size cap at save time, without parsing it', () => {
    expect(validateMjml(mjml(Math.ceil(MJML_MAX_CHARS / section.length) + 1))).toEqual([
      { reason: expect.stringMatching(/^MJML may be at most 100000 characters/) },
    ]);
  });
});
