import { describe, expect, it } from 'vitest';
import { CapabilitySet, isCapabilitySet } from '../../src/governance/capability-set.js';
import { isGovernanceError } from '../../src/governance/governance-error.js';

const app = CapabilitySet.of([
  { tools: ['read_file', 'write_file'], upTo: 'write', scopes: ['fs:/srv/app/'] },
  { tools: ['query'], upTo: 'read', scopes: ['db:tickets'] },
]);

describe('CapabilitySet', () => {
  it('allows a call of a granted tool, within its effect, on a granted resource', () => {
    expect(app.check('write_file', 'write', ['fs:/srv/app/src/a.ts'])).toEqual({ ok: true });
    expect(app.check('query', 'read', ['db:tickets'])).toEqual({ ok: true });
  });

  it('refuses another tool, a stronger effect or a resource outside, naming what is missing', () => {
    expect(app.check('drop_db', 'irreversible', ['db:tickets'])).toEqual({
      ok: false,
      reason: 'no capability for tool drop_db',
    });
    expect(app.check('query', 'write', ['db:tickets'])).toMatchObject({
      ok: false,
      reason: 'no capability for write calls of query',
    });
    expect(app.check('read_file', 'read', ['fs:/etc/passwd'])).toMatchObject({ ok: false });
    // Every resource of the call must be covered, not just one.
    expect(app.check('read_file', 'read', ['fs:/srv/app/a', 'fs:/etc/b'])).toMatchObject({
      ok: false,
    });
  });

  it('refuses a dot segment that would climb out of a granted prefix', () => {
    expect(app.check('read_file', 'read', ['fs:/srv/app/../../etc/passwd'])).toMatchObject({
      ok: false,
    });
  });

  it('covers a call that declares no resource only by a grant on every resource', () => {
    expect(app.check('read_file', 'read', [])).toMatchObject({ ok: false });
    const any = CapabilitySet.of([{ tools: ['read_file'], upTo: 'read' }]);
    expect(any.check('read_file', 'read', [])).toEqual({ ok: true });
  });

  it('attenuates by intersection: the result covers a call exactly when both sides do', () => {
    const parent = CapabilitySet.of([{ tools: '*', upTo: 'write', scopes: ['fs:/srv/'] }]);
    const asked = CapabilitySet.of([
      { tools: ['write_file', 'rm'], upTo: 'irreversible', scopes: ['fs:/srv/app/', 'fs:/home/'] },
    ]);
    const child = parent.attenuate(asked);
    expect(child.check('write_file', 'write', ['fs:/srv/app/x'])).toEqual({ ok: true });
    expect(child.check('rm', 'irreversible', ['fs:/srv/app/x'])).toMatchObject({ ok: false });
    expect(child.check('write_file', 'write', ['fs:/home/x'])).toMatchObject({ ok: false });
    expect(child.check('write_file', 'write', ['fs:/srv/other'])).toMatchObject({ ok: false });
    expect(child.grants).toEqual([
      { tools: ['rm', 'write_file'], upTo: 'write', scopes: ['fs:/srv/app/'] },
    ]);
  });

  it('reads a set from the wire bounded by what this node granted: a peer that claims more gets less', () => {
    const granted = CapabilitySet.of([{ tools: ['query'], upTo: 'read', scopes: ['db:tickets'] }]);
    const claimed = { $capabilities: 1, grants: [{ tools: '*', upTo: 'irreversible' }] };
    const received = CapabilitySet.fromWire(claimed, granted);
    expect(received.check('drop_db', 'irreversible', ['db:tickets'])).toMatchObject({ ok: false });
    expect(received.check('query', 'read', ['db:tickets'])).toEqual({ ok: true });
    // What went out comes back the same (round trip through JSON).
    const back = CapabilitySet.fromWire(JSON.parse(JSON.stringify(app.toWire())), app);
    expect(back.grants).toEqual(app.grants);
  });

  it('refuses malformed wire data with ERR_INVALID_CAPABILITY', () => {
    for (const bad of [
      null,
      'all',
      { grants: [] },
      { $capabilities: 1, grants: [{ tools: 3, upTo: 'read' }] },
      { $capabilities: 1, grants: [{ tools: '*', upTo: 'root' }] },
    ]) {
      let error: unknown;
      try {
        CapabilitySet.fromWire(bad, app);
      } catch (e) {
        error = e;
      }
      expect(isGovernanceError(error, 'ERR_INVALID_CAPABILITY')).toBe(true);
    }
  });

  it('tells a real set from look-alike data', () => {
    expect(isCapabilitySet(app)).toBe(true);
    expect(isCapabilitySet({ grants: app.grants })).toBe(false);
    expect(isCapabilitySet(Object.create(CapabilitySet.prototype))).toBe(false);
    expect(isCapabilitySet(app.toWire())).toBe(false);
  });
});
