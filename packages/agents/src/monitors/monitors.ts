import type { Node, NodeEvent, TimerHandle } from '@warden/core';
import { checkInt, checkName, invalidOption } from '../model/policy/option-checks.js';
import { checkAnomalyAction, performAnomalyAction } from './anomaly-action.js';
import type { Monitor, MonitorFiring, MonitorReading } from './monitor.js';

/**
 * Runs anomaly monitors on a node: every event of the node goes to the monitors that observe,
 * sampled monitors run on the node's clock, and a reading over its threshold fires once: the
 * `monitor.fired` event on the node's stream, then the monitor's action (its outcome as a
 * `monitor.acted` event). A key that fired fires again only after a reading at or under its
 * threshold (`monitor.cleared`): one incident, one alarm, not one per event. Stops with the
 * node.
 */
export class Monitors {
  readonly #node: Node;
  readonly #monitors: readonly Monitor[];
  readonly #firing = new Set<string>();
  readonly #firings: MonitorFiring[] = [];
  readonly #cleanups: (() => void)[] = [];
  readonly #timers = new Map<Monitor, TimerHandle>();
  #stopped = false;

  constructor(node: Node, monitors: readonly Monitor[]) {
    this.#node = node;
    if (!Array.isArray(monitors)) throw invalidOption('monitors', monitors, 'an array');
    const names = new Set<string>();
    for (const [i, m] of monitors.entries()) {
      const name = checkName(`monitors[${i}].name`, m?.name);
      if (names.has(name)) throw invalidOption(`monitors[${i}].name`, name, 'a unique name');
      names.add(name);
      checkAnomalyAction(`monitors[${i}].action`, m.action);
      if (m.sample !== undefined) checkInt(`monitors[${i}].sampleEveryMs`, m.sampleEveryMs, 1);
    }
    this.#monitors = monitors;
    if (node.signal.aborted) {
      this.#stopped = true;
      return;
    }
    const onStop = () => this.stop();
    node.signal.addEventListener('abort', onStop, { once: true });
    this.#cleanups.push(() => node.signal.removeEventListener('abort', onStop));
    for (const m of monitors) {
      if (m.attach !== undefined) {
        this.#cleanups.push(m.attach((rs: readonly MonitorReading[]) => this.#judge(m, rs), node));
      }
      if (m.sample !== undefined) this.#schedule(m);
    }
    if (monitors.some((m) => m.observe !== undefined)) {
      this.#cleanups.push(node.inspect((event) => this.#observe(event)));
    }
  }

  /** Every firing so far, oldest first. */
  get firings(): readonly MonitorFiring[] {
    return this.#firings;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    for (const timer of this.#timers.values()) this.#node.clock.clearTimer(timer);
    this.#timers.clear();
  }

  #observe(event: NodeEvent): void {
    // The monitors' own events are not figures.
    if (event.type === 'published' && event.event.type.startsWith('monitor.')) return;
    const now = this.#node.clock.now();
    for (const m of this.#monitors) {
      if (m.observe === undefined) continue;
      const readings = m.observe(event, now);
      if (readings.length > 0) this.#judge(m, readings);
    }
  }

  #schedule(m: Monitor): void {
    const timer = this.#node.clock.setTimer(m.sampleEveryMs as number, () => {
      if (this.#stopped) return;
      this.#judge(m, m.sample?.(this.#node, this.#node.clock.now()) ?? []);
      this.#schedule(m);
    });
    this.#timers.set(m, timer);
  }

  #judge(m: Monitor, readings: readonly MonitorReading[]): void {
    if (this.#stopped) return;
    for (const r of readings) {
      const id = `${m.name}\u0000${r.key}`;
      if (r.value > r.threshold) {
        if (this.#firing.has(id)) continue;
        this.#firing.add(id);
        this.#fire(m, r);
      } else if (this.#firing.delete(id)) {
        this.#publish({ type: 'monitor.cleared', monitor: m.name, key: r.key, value: r.value });
      }
    }
  }

  #fire(m: Monitor, r: MonitorReading): void {
    const firing: MonitorFiring = {
      type: 'monitor.fired',
      time: this.#node.clock.now(),
      monitor: m.name,
      key: r.key,
      value: r.value,
      threshold: r.threshold,
      action: m.action.kind,
      ...(r.subtree === undefined ? {} : { subtree: r.subtree }),
    };
    this.#firings.push(firing);
    // Out of the observer's turn: an action (stopping a subtree) must not run inside the
    // emission of the event that led to it.
    queueMicrotask(() => {
      this.#publish({ ...firing });
      performAnomalyAction(this.#node, m.action, firing).then(
        (outcome) => this.#publish({ type: 'monitor.acted', monitor: m.name, key: r.key, outcome }),
        (error: unknown) =>
          this.#publish({
            type: 'monitor.acted',
            monitor: m.name,
            key: r.key,
            outcome: `failed: ${error instanceof Error ? error.message : String(error)}`,
          }),
      );
    });
  }

  #publish(event: { readonly type: string; readonly [field: string]: unknown }): void {
    if (this.#node.observed && !this.#node.stopped) this.#node.publish(event);
  }
}

/** Starts `monitors` on the node. */
export function startMonitors(node: Node, monitors: readonly Monitor[]): Monitors {
  return new Monitors(node, monitors);
}
