import { DeciderSpecification } from '@crm/kernel/testing';
import { evolveLead, leadDecider, scoreLead, type LeadCapturedData, type LeadEvent, type LeadState } from './lead';

const given = DeciderSpecification.for(leadDecider);
const stateOf = (events: LeadEvent[]): LeadState => events.reduce(evolveLead, undefined);

const captured: LeadCapturedData = {
  leadId: 'l1',
  source: 'web-form',
  name: 'Rina Kartika',
  company: 'CV Sinar',
  email: 'rina@sinar.example',
  qualification: { need: 'ten delivery vans' },
  capturedAt: '2026-03-01T09:00:00.000Z',
};
const history: LeadEvent[] = [{ type: 'LeadCaptured', data: captured }];
const conversion = { leadId: 'l1', customerId: 'c1', contactId: 'k1', opportunityId: 'o1', convertedAt: '2026-03-05T09:00:00.000Z' };

describe('lead decide', () => {
  it('captures a lead that can be reached; the same capture again changes nothing', () => {
    given([]).when({ type: 'CaptureLead', data: captured }).then(history);
    given(history).when({ type: 'CaptureLead', data: captured }).thenNothingHappens();
    given(history)
      .when({ type: 'CaptureLead', data: { ...captured, name: 'Someone else' } })
      .thenBreaks('lead-exists');
    given([])
      .when({ type: 'CaptureLead', data: { ...captured, email: undefined } })
      .thenBreaks('lead-needs-contact');
    given([])
      .when({ type: 'CaptureLead', data: { ...captured, name: ' ' } })
      .thenBreaks('lead-needs-name');
  });

  it('is qualified once every BANT answer is known and the person can decide', () => {
    expect(stateOf(history)?.status).toBe('new');
    const qualification = { budget: 500_000_00, currency: 'IDR', authority: true, need: 'vans', timeline: '2026-05-01' };
    given(history)
      .when({ type: 'QualifyLead', data: { leadId: 'l1', qualification } })
      .then([{ type: 'LeadQualified', data: { leadId: 'l1', qualification } }]);
    expect(stateOf([...history, { type: 'LeadQualified', data: { leadId: 'l1', qualification } }])?.status).toBe('qualified');
  });

  it('is assigned to an owner; disqualified only with a reason, and then closed', () => {
    given(history)
      .when({ type: 'AssignLead', data: { leadId: 'l1', owner: 'sari' } })
      .then([{ type: 'LeadAssigned', data: { leadId: 'l1', owner: 'sari' } }]);
    given([...history, { type: 'LeadAssigned', data: { leadId: 'l1', owner: 'sari' } }])
      .when({ type: 'AssignLead', data: { leadId: 'l1', owner: 'sari' } })
      .thenNothingHappens();
    const disqualify = { leadId: 'l1', reason: 'no budget this year', disqualifiedAt: '2026-03-02T00:00:00Z' };
    given(history)
      .when({ type: 'DisqualifyLead', data: { ...disqualify, reason: ' ' } })
      .thenBreaks('disqualify-needs-reason');
    const closed: LeadEvent[] = [...history, { type: 'LeadDisqualified', data: disqualify }];
    given(closed)
      .when({ type: 'AssignLead', data: { leadId: 'l1', owner: 'budi' } })
      .thenBreaks('lead-closed');
    given(closed).when({ type: 'ConvertLead', data: conversion }).thenBreaks('lead-closed');
  });

  it('converts once; a retried conversion with the same ids finds its work done', () => {
    given(history)
      .when({ type: 'ConvertLead', data: conversion })
      .then([{ type: 'LeadConverted', data: conversion }]);
    const converted: LeadEvent[] = [...history, { type: 'LeadConverted', data: conversion }];
    given(converted).when({ type: 'ConvertLead', data: conversion }).thenNothingHappens();
    given(converted)
      .when({ type: 'ConvertLead', data: { ...conversion, customerId: 'c2' } })
      .thenBreaks('lead-converted');
    given(converted)
      .when({ type: 'QualifyLead', data: { leadId: 'l1', qualification: {} } })
      .thenBreaks('lead-closed');
    expect(stateOf(converted)).toMatchObject({ status: 'converted', converted: { customerId: 'c1', contactId: 'k1', opportunityId: 'o1' } });
  });

  it('records the owner the assignment rules chose with the capture, naming the rule; a later assignment by hand names none', () => {
    const byRule: LeadEvent[] = [...history, { type: 'LeadAssigned', data: { leadId: 'l1', owner: 'ani', rule: 'java' } }];
    given([])
      .when({ type: 'CaptureLead', data: captured, assignment: { owner: 'ani', rule: 'java' } })
      .then(byRule);
    given(byRule)
      .when({ type: 'CaptureLead', data: captured, assignment: { owner: 'dodi', rule: 'java' } })
      .thenNothingHappens();
    expect(stateOf(byRule)).toMatchObject({ owner: 'ani', assignedByRule: 'java' });
    const byHand = stateOf([...byRule, { type: 'LeadAssigned', data: { leadId: 'l1', owner: 'sari' } }]);
    expect(byHand).toMatchObject({ owner: 'sari' });
    expect(byHand?.assignedByRule).toBeUndefined();
  });

  it('refuses anything on a lead never captured', () => {
    given([])
      .when({ type: 'AssignLead', data: { leadId: 'l1', owner: 'sari' } })
      .thenBreaks('unknown-lead');
  });
});

describe('lead score', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  it('says why, rule by rule', () => {
    expect(scoreLead({ qualification: {}, email: 'a@b.example' }, now)).toEqual({ score: 0, reasons: [] });
    expect(
      scoreLead({ qualification: { budget: 1, authority: true, need: 'vans', timeline: '2026-04-15' }, email: 'a@b.example', phone: '+62 1' }, now),
    ).toEqual({
      score: 100,
      reasons: [
        '+25 has a budget',
        '+25 can decide the purchase',
        '+20 has a stated need',
        '+20 means to buy within 90 days',
        '+10 reachable by e-mail and phone',
      ],
    });
    // a purchase next year, or one in the past, is not within 90 days
    expect(scoreLead({ qualification: { timeline: '2027-03-01' } }, now).score).toBe(0);
    expect(scoreLead({ qualification: { timeline: '2026-01-01' } }, now).score).toBe(0);
  });
});
