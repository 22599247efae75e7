import { ROUTER_WINDOW_MS, routerWindowAt } from '../../workflows/contracts/event-router';

describe('routerWindowAt', () => {
  it('gives every moment of a window the same router, and the next window the next one', () => {
    const start = Date.UTC(2026, 10, 29, 12, 0, 0);
    const a = routerWindowAt('q', start);
    expect(routerWindowAt('q', start + ROUTER_WINDOW_MS - 1)).toEqual(a);
    expect(a.window.endsAt).toBe(start + ROUTER_WINDOW_MS);
    expect(a.workflowId).toBe('event-router-q-2026-11-29T12:00:00.000Z');
    const b = routerWindowAt('q', start + ROUTER_WINDOW_MS);
    expect(b.workflowId).not.toBe(a.workflowId);
    expect(b.window.endsAt).toBe(start + 2 * ROUTER_WINDOW_MS);
    expect(routerWindowAt('other', start).workflowId).not.toBe(a.workflowId);
  });
});
