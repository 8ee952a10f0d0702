import { DeciderSpecification } from '@crm/kernel/testing';
import { leadFormDecider, rateLimitWindow, type LeadFormEvent } from './lead-form';

const given = DeciderSpecification.for(leadFormDecider);
const created: LeadFormEvent = {
  type: 'LeadFormCreated',
  data: {
    formId: 'f1',
    name: 'Contact us',
    source: 'web-form',
    keyHash: 'a'.repeat(64),
    rateLimit: { requests: 10, windowSeconds: 60 },
    createdBy: 'mira',
    createdAt: '2026-03-01T09:00:00.000Z',
  },
};
const rotated: LeadFormEvent = {
  type: 'LeadFormKeyRotated',
  data: { formId: 'f1', keyHash: 'b'.repeat(64), rotatedBy: 'mira', rotatedAt: '2026-03-02T09:00:00.000Z' },
};
const revoked: LeadFormEvent = { type: 'LeadFormRevoked', data: { formId: 'f1', revokedBy: 'mira', revokedAt: '2026-03-03T09:00:00.000Z' } };

describe('lead form decide', () => {
  it('is created once, with a name and a sane rate limit', () => {
    given([]).when({ type: 'CreateLeadForm', data: created.data }).then([created]);
    given([created]).when({ type: 'CreateLeadForm', data: created.data }).thenBreaks('lead-form-exists');
    given([])
      .when({ type: 'CreateLeadForm', data: { ...created.data, name: ' ' } })
      .thenBreaks('lead-form-needs-name');
    given([])
      .when({ type: 'CreateLeadForm', data: { ...created.data, rateLimit: { requests: 0, windowSeconds: 60 } } })
      .thenBreaks('lead-form-rate-limit');
    given([])
      .when({ type: 'CreateLeadForm', data: { ...created.data, rateLimit: { requests: 5, windowSeconds: 0 } } })
      .thenBreaks('lead-form-rate-limit');
  });

  it('rotates its key until revoked; revoking twice changes nothing; a revoked form gets no new key', () => {
    given([created]).when({ type: 'RotateLeadFormKey', data: rotated.data }).then([rotated]);
    given([created, rotated]).when({ type: 'RevokeLeadForm', data: revoked.data }).then([revoked]);
    given([created, revoked]).when({ type: 'RevokeLeadForm', data: revoked.data }).thenNothingHappens();
    given([created, revoked]).when({ type: 'RotateLeadFormKey', data: rotated.data }).thenBreaks('lead-form-revoked');
    given([]).when({ type: 'RevokeLeadForm', data: revoked.data }).thenBreaks('unknown-lead-form');
  });

  it('keeps only the hash of the current key', () => {
    const state = [created, rotated].reduce(leadFormDecider.evolve, undefined);
    expect(state).toMatchObject({ keyHash: 'b'.repeat(64), keyRotatedAt: '2026-03-02T09:00:00.000Z' });
    expect(JSON.stringify(state)).not.toContain('createdBy');
  });
});

describe('rate-limit window', () => {
  it('is fixed: windows start at multiples of their length', () => {
    const w = rateLimitWindow({ requests: 1, windowSeconds: 60 }, new Date('2026-03-01T09:00:42.500Z'));
    expect(new Date(w.start).toISOString()).toBe('2026-03-01T09:00:00.000Z');
    expect(new Date(w.end).toISOString()).toBe('2026-03-01T09:01:00.000Z');
  });
});
