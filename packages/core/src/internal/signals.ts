import type { ExitReason } from '../exit-reason.js';
import { DownMessage, ExitMessage } from '../messages.js';
import { type Pid, samePid } from '../pid.js';
import type { Ref } from '../ref.js';
import type { NodeCore } from './node-core.js';
import type { Process } from './process.js';

/**
 * Exit signals, links and monitors (docs/semantics.md sections 10-11), local and across nodes.
 *
 * Invariants: a local link is recorded on both ends; a remote one on this end and on the far
 * node. A monitor stays in its watcher's `monitorsOut` until its DOWN is delivered or it is
 * demonitored, and a DOWN is only delivered if it is still there: never twice.
 */
export class Signals {
  readonly core: NodeCore;

  constructor(core: NodeCore) {
    this.core = core;
  }

  /** Sends an exit signal: through a link (`viaLink`) or by `exit(pid, reason)`. */
  exitSignal(from: Pid, to: Pid, reason: ExitReason, viaLink = false): void {
    if (this.core.isLocal(to)) {
      const target = this.core.local(to);
      if (target !== undefined) this.receiveExit(target, from, reason, viaLink);
      return;
    }
    this.core.transport?.deliver({ kind: 'exit', to, from, reason, link: viaLink });
  }

  /** OTP's rules for a process receiving an exit signal (docs/semantics.md items 44-47). */
  receiveExit(p: Process, from: Pid, reason: ExitReason, viaLink: boolean): void {
    if (p.dead) return;
    if (viaLink && p.links?.delete(from.key) !== true) return; // unlinked meanwhile
    this.applyExit(p, from, reason, viaLink);
  }

  applyExit(p: Process, from: Pid, reason: ExitReason, viaLink: boolean): void {
    if (!viaLink && reason === 'kill') {
      this.core.terminate(p, 'killed', 'signal');
    } else if (p.trapping) {
      this.core.router.deliver(p, new ExitMessage(from, reason), true, false);
    } else if (reason === 'normal') {
      if (!viaLink && samePid(from, p.pid)) this.core.terminate(p, 'normal', 'signal');
    } else {
      this.core.terminate(p, reason, 'signal');
    }
  }

  // ---- links ---------------------------------------------------------------------------------

  link(p: Process, pid: Pid): void {
    if (samePid(pid, p.pid) || p.links?.has(pid.key)) return;
    if (this.core.isLocal(pid)) {
      const target = this.core.local(pid);
      if (target === undefined) {
        this.applyExit(p, pid, 'noproc', true);
        return;
      }
      (target.links ??= new Map()).set(p.pid.key, p.pid);
    } else if (this.core.transport?.isConnected(pid.node) !== true) {
      this.applyExit(p, pid, 'noconnection', true);
      return;
    } else if (this.core.transport.deliver({ kind: 'link', to: pid, from: p.pid }) !== true) {
      this.applyExit(p, pid, 'noconnection', true);
      return;
    }
    (p.links ??= new Map()).set(pid.key, pid);
    if (this.core.events.wants('actor.linked')) {
      this.core.emit({ type: 'actor.linked', time: this.core.clock.now(), pid: p.pid, other: pid });
    }
  }

  unlink(p: Process, pid: Pid): void {
    if (p.links?.delete(pid.key) !== true) return;
    if (this.core.isLocal(pid)) this.core.local(pid)?.links?.delete(p.pid.key);
    else this.core.transport?.deliver({ kind: 'unlink', to: pid, from: p.pid });
    if (this.core.events.wants('actor.unlinked')) {
      this.core.emit({
        type: 'actor.unlinked',
        time: this.core.clock.now(),
        pid: p.pid,
        other: pid,
      });
    }
  }

  // ---- monitors ------------------------------------------------------------------------------

  monitor(p: Process, pid: Pid): Ref {
    const ref = this.core.newRef();
    if (p.dead) return ref;
    this.watch(p, ref, pid);
    if (this.core.events.wants('actor.monitored')) {
      this.core.emit({
        type: 'actor.monitored',
        time: this.core.clock.now(),
        watcher: p.pid,
        target: pid,
      });
    }
    return ref;
  }

  /** Records the monitor on both ends; a missing target gets its DOWN at once. */
  watch(p: Process, ref: Ref, pid: Pid): void {
    (p.monitorsOut ??= new Map()).set(ref, pid);
    if (this.core.isLocal(pid)) {
      const target = this.core.local(pid);
      if (target === undefined) this.deliverDown(p.pid, ref, pid, 'noproc');
      else (target.monitorsIn ??= new Map()).set(ref, p.pid);
    } else if (this.core.transport?.isConnected(pid.node) !== true) {
      this.deliverDown(p.pid, ref, pid, 'noconnection');
    } else if (
      this.core.transport.deliver({ kind: 'monitor', to: pid, from: p.pid, ref }) !== true
    ) {
      this.deliverDown(p.pid, ref, pid, 'noconnection');
    }
  }

  demonitor(p: Process, ref: Ref): boolean {
    const target = p.monitorsOut?.get(ref);
    if (target === undefined) return false;
    p.monitorsOut?.delete(ref);
    this.dropRemoteEnd(p.pid, ref, target);
    return true;
  }

  dropRemoteEnd(watcher: Pid, ref: Ref, target: Pid): void {
    if (this.core.isLocal(target)) this.core.local(target)?.monitorsIn?.delete(ref);
    else this.core.transport?.deliver({ kind: 'demonitor', to: target, from: watcher, ref });
  }

  /** Sends a DOWN to a watcher wherever it lives. */
  down(watcher: Pid, ref: Ref, target: Pid, reason: ExitReason): void {
    if (this.core.isLocal(watcher)) this.deliverDown(watcher, ref, target, reason);
    else this.core.transport?.deliver({ kind: 'down', to: watcher, from: target, ref, reason });
  }

  /** Delivers a DOWN to a local watcher: settles a call, or queues a DownMessage, at most once. */
  deliverDown(watcher: Pid, ref: Ref, target: Pid, reason: ExitReason): void {
    const w = this.core.local(watcher);
    const watched = w?.monitorsOut?.get(ref);
    // Refs are not secrets: a DOWN must come from the process the monitor is on.
    if (watched === undefined || !samePid(watched, target)) return;
    const call = this.core.calls.table.take(ref);
    if (call !== undefined) {
      call.watcher.monitorsOut?.delete(ref);
      call.settle.down(target, reason);
      return;
    }
    (w as Process).monitorsOut?.delete(ref);
    this.core.router.deliver(w as Process, new DownMessage(ref, target, reason), true, false);
  }

  /**
   * A process has ended with `reason`: every linked process gets the exit signal, every watcher
   * its DOWN, and the monitors it held are dropped at their far ends (its pending calls with
   * them: nobody is left to settle them).
   */
  exited(p: Process, reason: ExitReason): void {
    const links = p.links;
    if (links !== undefined) {
      p.links = undefined;
      for (const other of links.values()) this.exitSignal(p.pid, other, reason, true);
    }
    const watchers = p.monitorsIn;
    if (watchers !== undefined) {
      p.monitorsIn = undefined;
      for (const [ref, watcher] of watchers) this.down(watcher, ref, p.pid, reason);
    }
    const watching = p.monitorsOut;
    if (watching !== undefined) {
      p.monitorsOut = undefined;
      for (const [ref, target] of watching) {
        this.core.calls.table.abandon(ref);
        this.dropRemoteEnd(p.pid, ref, target);
      }
    }
  }

  /** Fires every link and monitor that crosses to `node` with `noconnection`, exactly once. */
  nodeDown(node: string): void {
    for (const p of this.core.table.values()) {
      if (p.links !== undefined) {
        for (const [key, other] of [...p.links]) {
          if (other.node !== node) continue;
          p.links.delete(key);
          this.applyExit(p, other, 'noconnection', true);
        }
      }
      if (p.monitorsOut !== undefined) {
        for (const [ref, target] of [...p.monitorsOut]) {
          if (target.node === node) this.deliverDown(p.pid, ref, target, 'noconnection');
        }
      }
      if (p.monitorsIn !== undefined) {
        for (const [ref, watcher] of [...p.monitorsIn]) {
          if (watcher.node === node) p.monitorsIn.delete(ref);
        }
      }
    }
    if (this.core.events.wants('node.down'))
      this.core.emit({ type: 'node.down', time: this.core.clock.now(), node });
  }
}
