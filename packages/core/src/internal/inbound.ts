import { CallRequest, CastMessage } from '../messages.js';
import { samePid } from '../pid.js';
import type { Envelope } from '../transport.js';
import type { NodeCore } from './node-core.js';

/**
 * Applies an envelope that arrived from another node. A target of an earlier incarnation, or one
 * that no longer exists, behaves as in OTP: messages become dead letters, links get `noproc`
 * exits, monitors get `noproc` DOWNs.
 */
export function handleInbound(core: NodeCore, envelope: Envelope): void {
  const target = core.local(envelope.to);
  const stale = envelope.to.incarnation !== core.incarnation;
  switch (envelope.kind) {
    case 'send':
    case 'cast': {
      if (target === undefined) {
        core.deadLetter(envelope.to, envelope.message, stale ? 'stale-incarnation' : 'noproc');
        return;
      }
      const message =
        envelope.kind === 'cast' ? new CastMessage(envelope.message) : envelope.message;
      core.router.deliver(target, message, false, false);
      return;
    }
    case 'call': {
      // The caller's monitor (sent just before) already answers a missing server with noproc.
      if (target === undefined) {
        core.deadLetter(envelope.to, envelope.request, stale ? 'stale-incarnation' : 'noproc');
        return;
      }
      core.router.deliver(
        target,
        new CallRequest(envelope.ref, envelope.from, envelope.request),
        false,
        false,
      );
      return;
    }
    case 'reply':
      core.calls.reply(envelope.to, envelope.ref, envelope.value, envelope.error);
      return;
    case 'link':
      if (target === undefined) {
        core.signals.exitSignal(envelope.to, envelope.from, 'noproc', true);
        return;
      }
      (target.links ??= new Map()).set(envelope.from.key, envelope.from);
      return;
    case 'unlink':
      target?.links?.delete(envelope.from.key);
      return;
    case 'exit':
      if (target !== undefined)
        core.signals.receiveExit(target, envelope.from, envelope.reason, envelope.link);
      return;
    case 'monitor':
      if (target === undefined) {
        core.signals.down(envelope.from, envelope.ref, envelope.to, 'noproc');
        return;
      }
      (target.monitorsIn ??= new Map()).set(envelope.ref, envelope.from);
      return;
    case 'demonitor':
      // Only the watcher that made the monitor may remove it.
      if (samePid(target?.monitorsIn?.get(envelope.ref), envelope.from)) {
        target?.monitorsIn?.delete(envelope.ref);
      }
      return;
    case 'down':
      core.signals.deliverDown(envelope.to, envelope.ref, envelope.from, envelope.reason);
      return;
  }
}
