import { COMPANY_WIDE_VISIBILITY, crmMetadataProblem, visibilityOf, type CrmEventMetadata } from './crm-metadata';

describe('CRM event metadata', () => {
  const metadata: CrmEventMetadata = {
    correlationId: 'c',
    causationId: 'c',
    occurredAt: '2026-03-01T09:00:00.000Z',
    actor: { type: 'staff', id: 'u-1', department: 'sales' },
  };

  it('requires an actor with an id, and nothing else of its own', () => {
    expect(crmMetadataProblem(metadata)).toBeUndefined();
    for (const bad of [
      undefined,
      null,
      'x',
      {},
      { ...metadata, actor: undefined },
      { ...metadata, actor: {} },
      { ...metadata, actor: { type: 'staff', id: '' } },
      { ...metadata, actor: [] },
    ]) {
      expect(crmMetadataProblem(bad)).toBe('metadata.actor is required');
    }
  });

  it('reads an event without visibility as visible company-wide and to every partner it is shared with', () => {
    expect(visibilityOf(metadata)).toEqual({ departments: '*', partners: 'shared' });
    expect(visibilityOf(metadata)).toBe(COMPANY_WIDE_VISIBILITY);
    const own = { departments: '*', partners: ['partner-a'] } as const;
    expect(visibilityOf({ ...metadata, visibility: own })).toBe(own);
  });
});
