// The one abortable sleep on the node's clock that every package waits with.
import { describe, expect, it } from 'vitest';
import { sleep } from '../src/index.js';
import { TestClock } from '../src/testing/index.js';

describe('sleep', () => {
  it('resolves once the clock has advanced by ms, not before', async () => {
    const clock = new TestClock();
    let done = false;
    const wait = sleep(clock, 100).then(() => {
      done = true;
    });
    await clock.advance(99);
    expect(done).toBe(false);
    await clock.advance(1);
    await wait;
    expect(done).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it("rejects with the signal's reason and disarms its timer when the signal aborts", async () => {
    const clock = new TestClock();
    const controller = new AbortController();
    const wait = sleep(clock, 1000, controller.signal);
    expect(clock.pendingTimers).toBe(1);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(wait).rejects.toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects at once, arming nothing, when the signal has already aborted', async () => {
    const clock = new TestClock();
    const wait = sleep(clock, 1000, AbortSignal.abort('gone'));
    await expect(wait).rejects.toBe('gone');
    expect(clock.pendingTimers).toBe(0);
  });

  it("rejects with the package's own error when one is given", async () => {
    const clock = new TestClock();
    const controller = new AbortController();
    const wait = sleep(clock, 1000, controller.signal, () => new Error('ERR_CLOSED'));
    controller.abort();
    await expect(wait).rejects.toThrow('ERR_CLOSED');
  });

  it('leaves no abort listener behind after it resolves', async () => {
    const clock = new TestClock();
    const controller = new AbortController();
    let listeners = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof signal.addEventListener;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--;
      remove(...args);
    }) as typeof signal.removeEventListener;
    const wait = sleep(clock, 10, signal);
    expect(listeners).toBe(1);
    await clock.advance(10);
    await wait;
    expect(listeners).toBe(0);
  });
});
