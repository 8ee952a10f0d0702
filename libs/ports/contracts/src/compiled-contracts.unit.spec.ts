import { classValidatorProblems } from '@crm/bus';
import { crmRegistry, INTEGRATION_EVENTS, INTEGRATION_EVENTS_V2 } from './events';

// The registry validates payloads with validators compiled from the contracts' class-validator
// decorators (≈100× faster than class-transformer + validateSync). Here both are held to the same
// verdict — valid or not, and on which top-level field — over every contract's sample and a few
// hundred mutations of it, including the shapes that broke us before.
const registry = crmRegistry();

const at = '2026-03-01T10:00:00.000Z';
const id = '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11';
const samples: Record<keyof typeof INTEGRATION_EVENTS, Record<string, unknown>> = {
  CustomerRegistered: {
    customerId: id,
    kind: 'organisation',
    name: 'PT Maju',
    contacts: [
      {
        contactId: id,
        name: 'Sari',
        role: 'buyer',
        email: 'sari@maju.co.id',
        phone: '+62 21 555',
        address: { lines: ['Jl. Merdeka 5', 'RT 2'], postalCode: '10110', locality: 'Jakarta Pusat', region: 'DKI Jakarta', country: 'ID' },
      },
    ],
    identities: [{ kind: 'email', value: 'info@maju.co.id', system: 'web' }],
    journeyStage: 'prospect',
    relationshipPhase: 'awareness',
    registeredBy: 'sales',
    owner: 'sari',
    tags: ['key-account'],
    parentId: id,
  },
  CustomerDetailsChanged: { customerId: id, name: 'PT Maju Jaya', owner: 'budi', tags: ['vip', 'jakarta'], parentId: id },
  CustomerContactAdded: {
    customerId: id,
    contact: { contactId: id, name: 'Budi', roles: ['decision-maker', 'buyer'], address: { lines: ['Jl. Sudirman 1'], locality: 'Bandung', country: 'ID' } },
  },
  CustomerContactChanged: { customerId: id, contact: { contactId: id, name: 'Budi S.', roles: ['influencer'] } },
  CustomerContactRemoved: { customerId: id, contactId: id },
  CustomerIdentityAdded: { customerId: id, identity: { kind: 'phone', value: '+62 812' } },
  CustomerIdentityRemoved: { customerId: id, identity: { kind: 'external-id', value: 'ERP-1', system: 'erp' } },
  CustomerMerged: { customerId: id, survivorId: id, mergeId: id },
  CustomerUnmerged: { customerId: id, survivorId: id, mergeId: id },
  CustomerDuplicateSuspected: { customerId: id, otherCustomerId: id, reason: 'shares email with the other customer' },
  CustomerJourneyStageChanged: {
    customerId: id,
    from: 'loyal-customer',
    to: 'repeat-customer',
    reason: 'spend moved to a competitor',
    source: 'manual',
    changedAt: at,
  },
  CustomerRelationshipPhaseChanged: {
    customerId: id,
    from: 'awareness',
    to: 'exploration',
    source: 'derived',
    rule: 'interactions-without-purchase',
    changedAt: at,
  },
  CustomerPersonalDataErased: { customerId: id, erasedAt: at, mergedCustomerIds: [id] },
  LeadPersonalDataErased: { leadId: id, erasedAt: at },
  EpisodeOpened: {
    episodeId: id,
    customerId: id,
    name: 'Fleet renewal',
    episodeType: 'opportunity',
    owner: { kind: 'department', department: 'sales' },
    openedAt: at,
    stage: 'lead-generation',
    expectedValue: 50000,
    currency: 'EUR',
    channel: 'phone',
    campaignId: 'spring',
  },
  InteractionRecorded: {
    episodeId: id,
    customerId: id,
    interaction: {
      interactionId: id,
      channel: 'email',
      direction: 'inbound',
      actor: { kind: 'customer', id },
      action: 'asked for a quote',
      response: 'sent',
      occurredAt: at,
    },
  },
  OpportunityStageAdvanced: { episodeId: id, customerId: id, from: 'lead-generation', to: 'closing', advancedAt: at },
  EpisodeClosed: { episodeId: id, customerId: id, outcome: 'won', closedAt: at, value: 48000, currency: 'EUR', reason: 'best offer' },
  OpportunityUpdated: {
    episodeId: id,
    customerId: id,
    amount: 1250000,
    currency: 'EUR',
    expectedCloseDate: '2026-06-30',
    owner: 'sari',
    team: 'jakarta-enterprise',
    nextStep: 'send the revised quote',
    competitors: ['Acme', 'Globex'],
    probability: 35,
    updatedAt: at,
  },
  OpportunityStageChanged: {
    episodeId: id,
    customerId: id,
    pipelineId: id,
    from: 'proposal-presentation',
    to: 'needs-identification',
    backward: true,
    reason: 'the buyer changed',
    stageProbability: 20,
    changedAt: at,
  },
  CustomerSharedWithPartner: { partnerId: id, customerId: id, sharedAt: at, sharedBy: 'alice' },
  CustomerShareRevoked: { partnerId: id, customerId: id, revokedAt: at, revokedBy: 'alice' },
  PartnerShareRequested: { partnerId: id, requestId: id, customerId: id, reason: 'they asked us for a quote', requestedAt: at, requestedBy: 'client-1' },
  PartnerShareRequestApproved: {
    partnerId: id,
    requestId: id,
    customerId: id,
    approvedAt: at,
    approvedBy: 'rudi',
    episodeTypes: ['case', 'return-repair'],
    access: 'read',
    expiresAt: at,
  },
  PartnerShareRequestRefused: { partnerId: id, requestId: id, customerId: id, reason: 'not our customer to give', refusedAt: at, refusedBy: 'rudi' },
  LeadCaptured: {
    leadId: id,
    source: 'web-form',
    name: 'Rina',
    company: 'CV Sinar',
    email: 'rina@sinar.example',
    phone: '+62 1',
    externalId: 'form-1',
    qualification: { budget: 100, currency: 'IDR', authority: true, need: 'vans', timeline: at },
    capturedAt: at,
    matchingCustomerId: id,
    country: 'ID',
    region: 'java-west',
  },
  LeadQualified: { leadId: id, qualification: { need: 'vans' } },
  LeadAssigned: { leadId: id, owner: 'sari', rule: 'java' },
  LeadDisqualified: { leadId: id, reason: 'no budget', disqualifiedAt: at },
  LeadConverted: { leadId: id, customerId: id, contactId: id, opportunityId: id, convertedAt: at },
  // product catalogue and quotes (issue 10 §3–4)
  ProductDefined: {
    productId: id,
    sku: 'FLEET-5',
    kind: 'bundle',
    name: 'Fleet of five',
    description: 'Five vans',
    active: true,
    components: [{ productId: id, quantity: 5 }],
    options: [id],
    rules: { requires: [id], excludes: [id], minQuantity: 1, maxQuantity: 10 },
    definedBy: 'mira',
    definedAt: at,
  },
  ProductRevised: { productId: id, name: 'Fleet of five', active: false, rules: { maxQuantity: 5 }, revisedBy: 'mira', revisedAt: at },
  PriceBookCreated: {
    priceBookId: id,
    name: 'EUR 2026',
    currency: 'EUR',
    validFrom: '2026-01-01',
    validTo: '2026-12-31',
    prices: [{ productId: id, unitPrice: 2500000 }],
    createdBy: 'mira',
    createdAt: at,
  },
  PriceBookPricesSet: { priceBookId: id, prices: [{ productId: id, unitPrice: 0 }], setBy: 'mira', setAt: at },
  QuoteDrafted: {
    quoteId: id,
    opportunityId: id,
    customerId: id,
    version: 1,
    currency: 'EUR',
    priceBookId: id,
    quoteDate: '2026-03-01',
    validUntil: '2026-03-31',
    lines: [
      {
        lineNo: 1,
        productId: id,
        sku: 'FLEET-5',
        name: 'Fleet of five',
        kind: 'bundle',
        quantity: 2,
        unitPrice: 1000,
        listAmount: 2000,
        discountBasisPoints: 1250,
        discountAmount: 250,
        netAmount: 1750,
        taxRateBasisPoints: 1100,
        taxAmount: 193,
        totalAmount: 1943,
        components: [{ productId: id, sku: 'VAN-1', name: 'Van', quantity: 5 }],
      },
    ],
    totals: { listTotal: 2000, discountTotal: 250, netTotal: 1750, taxTotal: 193, grandTotal: 1943 },
    preparedBy: 'sari',
    preparedAt: at,
  },
  QuoteRevised: {
    quoteId: id,
    opportunityId: id,
    customerId: id,
    version: 2,
    currency: 'EUR',
    priceBookId: id,
    quoteDate: '2026-03-02',
    lines: [
      {
        lineNo: 1,
        productId: id,
        sku: 'FLEET-5',
        name: 'Fleet of five',
        kind: 'bundle',
        quantity: 2,
        unitPrice: 1000,
        listAmount: 2000,
        discountBasisPoints: 1250,
        discountAmount: 250,
        netAmount: 1750,
        taxRateBasisPoints: 1100,
        taxAmount: 193,
        totalAmount: 1943,
        components: [{ productId: id, sku: 'VAN-1', name: 'Van', quantity: 5 }],
      },
    ],
    totals: { listTotal: 2000, discountTotal: 250, netTotal: 1750, taxTotal: 193, grandTotal: 1943 },
    preparedBy: 'sari',
    preparedAt: at,
  },
  QuoteDiscountApprovalRequested: {
    quoteId: id,
    customerId: id,
    version: 1,
    maxDiscountBasisPoints: 1250,
    thresholdBasisPoints: 1000,
    requestedBy: 'sari',
    requestedAt: at,
  },
  QuoteDiscountApproved: { quoteId: id, customerId: id, version: 1, approvedBy: 'mira', approvedAt: at, note: 'strategic account' },
  QuoteDiscountRejected: { quoteId: id, customerId: id, version: 1, rejectedBy: 'mira', rejectedAt: at, reason: 'too deep' },
  QuoteDeclined: { quoteId: id, opportunityId: id, customerId: id, version: 1, reason: 'went with a competitor', declinedBy: 'sari', declinedAt: at },
  QuoteSent: { quoteId: id, opportunityId: id, customerId: id, version: 1, channel: 'email', interactionId: id, sentBy: 'sari', sentAt: at },
  QuoteAccepted: {
    quoteId: id,
    opportunityId: id,
    customerId: id,
    version: 1,
    currency: 'EUR',
    priceBookId: id,
    quoteDate: '2026-03-01',
    lines: [
      {
        lineNo: 1,
        productId: id,
        sku: 'FLEET-5',
        name: 'Fleet of five',
        kind: 'bundle',
        quantity: 2,
        unitPrice: 1000,
        listAmount: 2000,
        discountBasisPoints: 1250,
        discountAmount: 250,
        netAmount: 1750,
        taxRateBasisPoints: 1100,
        taxAmount: 193,
        totalAmount: 1943,
        components: [{ productId: id, sku: 'VAN-1', name: 'Van', quantity: 5 }],
      },
    ],
    totals: { listTotal: 2000, discountTotal: 250, netTotal: 1750, taxTotal: 193, grandTotal: 1943 },
    acceptedBy: 'sari',
    acceptedAt: at,
  },
  ActivityPlanned: {
    activityId: id,
    kind: 'meeting',
    customerId: id,
    episodeId: id,
    subject: 'Fleet renewal: proposal',
    notes: 'bring the price list',
    dueAt: at,
    durationMinutes: 60,
    reminderMinutesBefore: 15,
    owner: 'sari',
    plannedBy: 'mira',
    plannedAt: at,
  },
  ActivityRescheduled: {
    activityId: id,
    customerId: id,
    dueAt: at,
    durationMinutes: 30,
    reminderMinutesBefore: 0,
    rescheduledBy: 'sari',
    rescheduledAt: at,
    schedule: 2,
  },
  ActivityReassigned: { activityId: id, customerId: id, owner: 'budi', previousOwner: 'sari', reassignedBy: 'mira', reassignedAt: at },
  ActivityCancelled: { activityId: id, customerId: id, reason: 'customer on leave', cancelledBy: 'sari', cancelledAt: at },
  ActivityCompleted: {
    activityId: id,
    customerId: id,
    episodeId: id,
    completedBy: 'sari',
    completedAt: at,
    interaction: {
      interactionId: id,
      channel: 'phone',
      direction: 'outbound',
      actor: { kind: 'staff', id: 'sari' },
      action: 'call held',
      response: 'budget confirmed',
      occurredAt: at,
    },
  },
  ActivityReminderDue: { activityId: id, customerId: id, episodeId: id, kind: 'call', owner: 'sari', dueAt: at, schedule: 1, remindAt: at },
  ActivityDue: { activityId: id, customerId: id, kind: 'task', owner: 'sari', dueAt: at, schedule: 3 },
  OrderPlaced: {
    orderId: id,
    customerId: id,
    orderDate: at,
    placedAt: at,
    currency: 'EUR',
    lines: [
      {
        lineId: '1',
        productId: 'van',
        productName: 'Van',
        quantity: 2,
        unitPrice: 1000,
        gross: 2000,
        discount: 200,
        discountRate: 1000,
        tax: 342,
        taxRate: 1900,
        total: 2142,
      },
    ],
    subtotal: 2000,
    discountTotal: 200,
    taxTotal: 342,
    adjustment: -42,
    total: 2100,
    source: 'import',
    externalId: 'SO-1',
    quoteId: id,
    opportunityId: id,
  },
  OrderCancelled: { orderId: id, customerId: id, cancelledAt: at, reason: 'changed their mind', amount: 2100, currency: 'EUR' },
  OrderReturned: {
    orderId: id,
    customerId: id,
    returnId: id,
    returnedAt: at,
    lines: [{ lineId: '1', productId: 'van', quantity: 1, amount: 1071 }],
    amount: 1071,
    currency: 'EUR',
    reason: 'damaged',
    fullyReturned: false,
  },
  ExchangeRatesSet: {
    reportingCurrency: 'EUR',
    effectiveDate: '2026-03-01',
    rates: [
      { currency: 'USD', rate: '0.9231' },
      { currency: 'JPY', rate: '0.0061' },
    ],
    setBy: 'mira',
    setAt: at,
  },
  CustomerValueTierChanged: {
    customerId: 'c-1',
    tier: 'gold',
    previousTier: 'silver',
    clv: 125_000,
    rank: 3,
    customers: 120,
    reportingCurrency: 'EUR',
    modelFittedAt: at,
    assignedAt: at,
  },
  CustomerChurnRiskChanged: { customerId: 'c-1', band: 'high', previousBand: 'medium', probability: 0.62, modelVersion: 2, horizonDays: 90, assessedAt: at },
  CaseDetailsChanged: {
    episodeId: id,
    customerId: id,
    priority: 'high',
    severity: 'major',
    category: 'billing',
    productId: 'p-1',
    team: null,
    changedAt: at,
    changedBy: 'sari',
  },
  CaseStatusChanged: {
    episodeId: id,
    customerId: id,
    from: 'assigned',
    to: 'waiting-on-customer',
    reason: 'asked for the receipt',
    changedAt: at,
    changedBy: 'sari',
  },
  CaseAssigned: {
    episodeId: id,
    customerId: id,
    agentId: 'a-1',
    team: 'billing',
    previousAgentId: 'a-2',
    reason: 'skills billing≥3',
    assignedAt: at,
    assignedBy: 'router',
  },
  CaseReopened: { episodeId: id, customerId: id, reason: 'fault came back', reopenedAt: at, reopenedBy: 'budi' },
  CaseUnassigned: {
    episodeId: id,
    customerId: id,
    previousAgentId: 'a-1',
    team: 'billing',
    reason: 'agent went home sick',
    unassignedAt: at,
    unassignedBy: 'lead',
  },
  AgentProfileSet: {
    agentId: 'a-1',
    name: 'Sari',
    teams: ['billing'],
    skills: [{ skill: 'billing', level: 4 }],
    capacity: 4,
    hourlyCost: 2_500,
    currency: 'EUR',
    active: true,
    setAt: at,
    setBy: 'lead',
  },
  AgentPresenceChanged: { agentId: 'a-1', presence: 'available', previous: 'offline', changedAt: at },
  CaseOffered: { offerId: id, episodeId: id, customerId: id, agentId: 'a-1', priority: 0.91, reason: 'skills billing≥3', offeredAt: at, expiresAt: at },
  CaseOfferAccepted: { offerId: id, episodeId: id, customerId: id, agentId: 'a-1', acceptedAt: at },
  CaseOfferDeclined: { offerId: id, episodeId: id, customerId: id, agentId: 'a-1', reason: 'on a break', declinedAt: at },
  CaseOfferExpired: { offerId: id, episodeId: id, customerId: id, agentId: 'a-1', expiredAt: at },
  CallEnded: {
    callId: 'CA123',
    customerId: id,
    episodeId: id,
    agentId: 'a-1',
    team: 'billing',
    from: '+49 30 1234',
    offeredAt: at,
    answeredAt: at,
    endedAt: at,
    abandoned: false,
    handleSeconds: 240,
    containedInIvr: false,
  },
  CaseSatisfactionRated: { episodeId: id, customerId: id, score: 4, comment: 'quick', interactionId: id, ratedAt: at },
  // return authorisation and repair (issue 12 §5)
  ReturnRequested: {
    episodeId: id,
    customerId: id,
    caseEpisodeId: id,
    item: { productId: 'phone-x1', serialNumber: 'SN-0042' },
    fault: 'screen stays black',
    orderId: 'o-1',
    lineId: '1',
    requestedAt: at,
    requestedBy: 'agent-1',
  },
  ReturnAuthorised: {
    episodeId: id,
    customerId: id,
    rmaNumber: 'RMA-2026-0B7C4F0E',
    warranty: 'in-warranty',
    orderId: 'o-1',
    lineId: '1',
    warrantyEndsAt: at,
    authorisedAt: at,
    authorisedBy: 'agent-1',
  },
  ReturnDenied: { episodeId: id, customerId: id, reason: 'water damage', deniedAt: at, deniedBy: 'agent-1' },
  ReturnShipmentUpdated: {
    episodeId: id,
    customerId: id,
    leg: 'to-company',
    state: 'in-transit',
    carrier: 'DHL',
    trackingNumber: '00340434',
    updatedAt: at,
    updatedBy: 'agent-1',
  },
  RepairAssigned: { episodeId: id, customerId: id, partnerId: 'fixit', assignedAt: at, assignedBy: 'agent-1' },
  PartnerUserAdded: { partnerId: id, userId: id, name: 'Dewi', email: 'dewi@distributor.example', role: 'sales', addedAt: at, addedBy: id },
  PartnerUserRoleChanged: { partnerId: id, userId: id, from: 'sales', to: 'service', changedAt: at, changedBy: id },
  PartnerRegistered: { partnerId: id, name: 'PT Distribusi Nusantara', partnerKind: 'distributor' },
  PartnerUserRemoved: { partnerId: id, userId: id, removedAt: at, removedBy: id },
  PartnerDeactivated: { partnerId: id, deactivatedAt: at, deactivatedBy: 'rudi' },
  DealRegistered: {
    registrationId: id,
    partnerId: id,
    registeredBy: `${id}.key`,
    leadId: id,
    prospect: { company: 'PT Baru', contactName: 'Dewi', contactEmail: 'dewi@baru.id' },
    products: ['VAN-L2'],
    estimatedValue: 5000000,
    currency: 'EUR',
    expectedCloseDate: '2026-09-30',
    registeredAt: at,
    approvalDueAt: at,
    conflicts: [{ kind: 'deal-registration', id, partnerId: id }],
    possibleExistingCustomerIds: [id],
  },
  DealRegistrationApproved: { registrationId: id, partnerId: id, customerId: id, approvedBy: 'maria', approvedAt: at, protectionEndsAt: at, episodeId: id },
  DealRegistrationRejected: { registrationId: id, partnerId: id, customerId: id, rejectedBy: 'maria', rejectedAt: at, reason: 'ours already' },
  DealRegistrationExpired: { registrationId: id, partnerId: id, expiredAt: at, reason: 'not-reviewed' },
  // lead distribution (issue 14 §4)
  PartnerRoutingProfileSet: {
    partnerId: id,
    partnerKind: 'reseller',
    territories: [{ country: 'ID', regions: ['java-west'] }, { country: 'MY' }],
    products: ['VAN-L2'],
    tier: 'gold',
    capacity: 5,
    active: true,
    setAt: at,
    setBy: 'maria',
  },
  LeadDistributionStarted: { leadId: id, products: ['VAN-L2'], startedBy: 'maria', startedAt: at },
  LeadOfferedToPartner: { leadId: id, partnerId: id, offerId: id, attempt: 1, offeredAt: at, expiresAt: at, score: 71.5, reasons: ['+30 gold tier'] },
  LeadOfferAccepted: { leadId: id, partnerId: id, offerId: id, acceptedBy: `${id}.key`, acceptedAt: at },
  LeadOfferDeclined: { leadId: id, partnerId: id, offerId: id, reason: 'outside our season', declinedBy: `${id}.key`, declinedAt: at },
  LeadOfferExpired: { leadId: id, partnerId: id, offerId: id, expiredAt: at },
  LeadDistributionExhausted: { leadId: id, attempts: 3, exhaustedAt: at },
  LeadOfferOutcomeReported: { leadId: id, partnerId: id, offerId: id, outcome: 'won', note: 'two vans', reportedBy: `${id}.key`, reportedAt: at },
  PartnerWebhookSubscribed: {
    subscriptionId: id,
    partnerId: id,
    url: 'https://hooks.example.com/crm',
    eventTypes: ['InteractionRecorded'],
    secretVersion: 1,
    subscribedAt: at,
    subscribedBy: `${id}.key`,
  },
  PartnerWebhookChanged: { subscriptionId: id, partnerId: id, eventTypes: ['EpisodeOpened'], changedAt: at, changedBy: `${id}.key` },
  PartnerWebhookSecretRotated: { subscriptionId: id, partnerId: id, secretVersion: 2, rotatedAt: at, rotatedBy: `${id}.key` },
  PartnerWebhookUnsubscribed: { subscriptionId: id, partnerId: id, unsubscribedAt: at, unsubscribedBy: `${id}.key` },
  RepairStatusChanged: {
    episodeId: id,
    customerId: id,
    partnerId: 'fixit',
    from: 'assigned',
    to: 'received',
    note: 'box dented',
    changedAt: at,
    changedBy: 'partner-user-1',
  },
  // marketing permissions (issue 13 §1)
  ConsentRequested: {
    customerId: id,
    requestId: 'r-1',
    channel: 'email',
    purpose: 'offers',
    source: 'form',
    evidence: { textVersion: 'offers-2026-01', formId: 'footer', ipAddress: '203.0.113.7', recordedBy: 'web' },
    requestedAt: at,
    expiresAt: at,
  },
  ConsentGranted: {
    customerId: id,
    channel: 'email',
    purpose: 'offers',
    source: 'double-opt-in',
    evidence: { textVersion: 'offers-2026-01', requestId: 'r-1', requestedAt: at, confirmedAt: at, userAgent: 'Mail', recordedBy: 'double-opt-in' },
    grantedAt: at,
  },
  ConsentWithdrawn: {
    customerId: id,
    channel: 'email',
    source: 'one-click-unsubscribe',
    evidence: { campaignId: 'spring', messageId: '<m1@crm.example>', note: 'from the footer', recordedBy: 'unsubscribe' },
    withdrawnAt: at,
  },
  // event-based marketing (issue 13 §4)
  TriggerRuleDefined: {
    ruleId: id,
    name: 'Thank big spenders',
    on: 'order-placed',
    conditions: { orderTotal: { min: 10000, currency: 'EUR' }, products: ['p-1'], valueTiers: ['gold'] },
    delay: { amount: 2, unit: 'hours' },
    cooldown: { amount: 7, unit: 'days' },
    frequencyCap: { firings: 2, days: 30 },
    activeFrom: at,
    action: { campaignId: 'thank-you', stepId: 's-1' },
    definedAt: at,
    definedBy: 'mira',
  },
  TriggerRuleRevised: {
    ruleId: id,
    name: 'Complaints',
    on: 'complaint-opened',
    conditions: { caseCategories: ['complaint-delivery'], casePriorities: ['high'] },
    action: { campaignId: 'sorry' },
    revisedAt: at,
    revisedBy: 'mira',
  },
  TriggerRuleDisabled: { ruleId: id, disabledAt: at, disabledBy: 'mira' },
  TriggerRuleEnabled: { ruleId: id, enabledAt: at, enabledBy: 'mira' },
  MarketingTriggerScheduled: {
    customerId: id,
    ruleId: id,
    ruleRevision: 0,
    on: 'order-placed',
    timerId: id,
    cause: { eventId: id, type: 'OrderPlaced', position: '12/12', at },
    dueAt: at,
    scheduledAt: at,
  },
  MarketingTriggerFired: {
    customerId: id,
    ruleId: id,
    ruleRevision: 1,
    on: 'lapse',
    timerId: id,
    cause: { eventId: id, type: 'OrderPlaced', at },
    facts: { orderTotal: 12000, currency: 'EUR', productIds: ['p-1'], valueTier: 'gold' },
    why: {
      conditions: [{ condition: 'valueTiers', expected: 'one of gold', actual: 'gold', held: true }],
      delayMinutes: 0,
      cooldown: { minutes: 60, lastFiredAt: at, until: at },
      cap: { firings: 2, days: 30, firedInWindow: 1 },
    },
    action: { campaignId: 'come-back' },
    dueAt: at,
    firedAt: at,
  },
  MarketingTriggerSkipped: {
    customerId: id,
    ruleId: id,
    ruleRevision: 0,
    on: 'order-placed',
    timerId: id,
    reason: 'cooldown',
    cause: { eventId: id, type: 'OrderPlaced', at },
    facts: {},
    why: { conditions: [], delayMinutes: 120, cooldown: { minutes: 10080, lastFiredAt: at, until: at } },
    dueAt: at,
    skippedAt: at,
  },
  // campaigns that really send (issue 13 §3)
  CampaignDefined: {
    campaignId: id,
    name: 'Spring offer',
    purpose: 'offers',
    audience: { kind: 'list', customerIds: [id] },
    steps: [
      {
        stepId: 'mail-1',
        channel: 'email',
        delayMinutes: 0,
        variants: [{ variantId: 'a', weight: 1, template: { subject: 'Hi {{name}}', text: 't', html: '<p>t</p>' } }],
      },
    ],
    controlBasisPoints: 1000,
    throttlePerSecond: 10,
    attributionWindowDays: 14,
    costPerMessage: { amountMinor: 3, currency: 'EUR' },
    definedBy: 'mira',
    definedAt: at,
  },
  CampaignRevised: {
    campaignId: id,
    name: 'Spring offer',
    purpose: 'offers',
    audience: { kind: 'segment', segmentId: 'lapsed' },
    steps: [{ stepId: 'sms-1', channel: 'sms', delayMinutes: 60, variants: [{ variantId: 'a', weight: 1, template: { text: 't' } }] }],
    controlBasisPoints: 0,
    throttlePerSecond: 1,
    attributionWindowDays: 1,
    costPerMessage: { amountMinor: 0, currency: 'IDR' },
    revisedBy: 'mira',
    revisedAt: at,
  },
  CampaignScheduled: { campaignId: id, startAt: at, scheduledBy: { subject: 'mira', department: 'marketing' }, scheduledAt: at },
  CampaignStarted: { campaignId: id, startedAt: at, startedBy: { subject: 'mira', department: 'marketing' }, audienceSize: 2, controlSize: 1, chunks: 1 },
  CampaignAudienceFrozen: {
    campaignId: id,
    chunk: 0,
    chunks: 1,
    members: [
      { customerId: id, control: true },
      { customerId: id, variants: ['a'] },
    ],
  },
  CampaignPaused: { campaignId: id, pausedBy: 'mira', pausedAt: at, reason: 'wrong price' },
  CampaignResumed: { campaignId: id, resumedBy: 'mira', resumedAt: at },
  CampaignClosed: { campaignId: id, closedBy: 'mira', closedAt: at, reason: 'done' },
  CampaignMessageSent: {
    campaignId: id,
    customerId: id,
    messageId: id,
    stepId: 'mail-1',
    channel: 'email',
    variantId: 'a',
    attempt: 1,
    sentAt: at,
    consentBasis: { eventId: id, position: '12/3', revision: '0' },
    addressKey: 'ab'.repeat(32),
  },
  CampaignMessageSuppressed: {
    campaignId: id,
    customerId: id,
    messageId: id,
    stepId: 'mail-1',
    channel: 'email',
    reason: 'no-consent',
    suppressedAt: at,
    consent: { status: 'withdrawn', basis: { eventId: id, position: '12/3', revision: '1' } },
  },
  CampaignMessageBounced: {
    campaignId: id,
    customerId: id,
    messageId: id,
    stepId: 'mail-1',
    channel: 'email',
    kind: 'hard',
    reason: '550',
    attempt: 1,
    bouncedAt: at,
  },
  CampaignMessageDeferred: {
    campaignId: id,
    customerId: id,
    messageId: id,
    stepId: 'mail-1',
    channel: 'email',
    retryCount: 1,
    reason: '421',
    deferredAt: at,
    retryAt: at,
  },
  // a trigger firing's offer (issue 13 §4)
  CampaignRecipientTriggered: {
    campaignId: id,
    customerId: id,
    firingId: id,
    ruleId: 'thank-you',
    ruleRevision: 0,
    steps: [{ stepId: 'mail-1', dueAt: at }],
    variants: ['a'],
    triggeredAt: at,
  },
  CampaignTriggerSkipped: {
    campaignId: 'thank-you',
    customerId: id,
    firingId: id,
    ruleId: 'thank-you',
    ruleRevision: 2,
    stepId: 'mail-9',
    reason: 'campaign-not-running',
    campaignStatus: 'paused',
    skippedAt: at,
  },
  // the e-mail suppression list (issue 13 §3)
  EmailAddressSuppressed: {
    addressKey: 'ab'.repeat(32),
    reason: 'hard-bounce',
    campaignId: id,
    messageRef: id,
    customerId: id,
    by: 'campaign-dispatcher',
    note: '550 5.1.1 mailbox unknown',
    at,
  },
  EmailAddressUnsuppressed: { addressKey: 'ab'.repeat(32), by: 'mira', reason: 'the customer fixed the mailbox', at },
  // segments (issue 13 §2)
  SegmentDefined: { segmentId: id, name: 'Gold buyers', description: 'gold tier', rule: { valueTier: { in: ['gold'] } }, definedBy: 'mia', definedAt: at },
  SegmentRevised: { segmentId: id, name: 'Gold buyers', rule: { all: [{ valueTier: { in: ['gold'] } }] }, segmentRevision: 2, revisedBy: 'mia', revisedAt: at },
  SegmentArchived: { segmentId: id, archivedBy: 'mia', archivedAt: at },
  SegmentEntered: { segmentId: id, customerId: id, segmentRevision: 1, at, reason: 'rule-matches' },
  SegmentLeft: { segmentId: id, customerId: id, segmentRevision: 2, at, reason: 'rule-no-longer-matches' },
  // service levels (issue 12 §4)
  ServiceLevelPoliciesSet: {
    policySetId: 'default',
    policies: [
      {
        policyId: 'platinum',
        tier: 'platinum',
        priority: 'urgent',
        channel: 'phone',
        calendarId: 'berlin',
        firstResponseMinutes: 15,
        nextResponseMinutes: 30,
        resolutionMinutes: 240,
        warningPercent: 80,
      },
    ],
    escalations: [
      { ruleId: 'to-seniors', metric: 'first-response', tier: 'platinum', action: 'reassign', team: 'seniors' },
      { ruleId: 'tell-lead', metric: 'resolution', action: 'notify', notify: 'lead@example.com' },
    ],
    setAt: at,
    setBy: 'mia',
  },
  BusinessCalendarSet: {
    calendarId: 'berlin',
    name: 'Berlin office',
    timeZone: 'Europe/Berlin',
    hours: { mon: [{ from: '09:00', to: '17:00' }] },
    holidays: ['2026-12-25'],
    setAt: at,
    setBy: 'mia',
  },
  CaseSlaWarning: {
    episodeId: id,
    customerId: id,
    metric: 'first-response',
    cycle: 0,
    policyId: 'platinum',
    tier: 'platinum',
    team: 'billing',
    targetMinutes: 15,
    dueAt: at,
    at,
    warningPercent: 80,
  },
  CaseSlaBreached: { episodeId: id, customerId: id, metric: 'resolution', cycle: 1, policyId: 'fallback', tier: 'bronze', targetMinutes: 7200, dueAt: at, at },
  CaseEscalated: { episodeId: id, customerId: id, ruleId: 'to-seniors', metric: 'first-response', cycle: 0, action: 'reassign', team: 'seniors', at },
  CaseEscalationActed: {
    episodeId: id,
    customerId: id,
    ruleId: 'tell-the-lead',
    metric: 'resolution',
    cycle: 1,
    action: 'notify',
    notify: 'service-lead',
    outcome: 'failed',
    detail: 'Error: smtp down',
    at,
  },
};

// The timestamps: forms isISO8601 passes that Date or PostgreSQL cannot read (see instant.ts).
const strange: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'text',
  0,
  -1,
  1.5,
  true,
  [],
  [[]],
  [{}],
  {},
  { x: 1 },
  '\u0000',
  '2026-13-45',
  '-2026-03-01',
  '20260301',
  '2026-W09',
  'not-an-email',
  1e308,
];

/** Every path to a value in the sample (objects and array elements), with a setter on a deep copy. */
function mutations(sample: Record<string, unknown>): { label: string; payload: Record<string, unknown> }[] {
  const out: { label: string; payload: Record<string, unknown> }[] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    if (path.length > 0) {
      for (const replacement of strange) {
        const copy = structuredClone(sample);
        let node = copy as Record<string | number, unknown>;
        for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
        const last = path[path.length - 1];
        // JSON has no holes: an array element that goes missing is taken out.
        if (replacement !== undefined) node[last] = replacement;
        else if (Array.isArray(node)) node.splice(last as number, 1);
        else delete node[last];
        out.push({ label: `${path.join('.')} = ${JSON.stringify(replacement) ?? 'missing'}`, payload: copy });
      }
    }
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      const copy = structuredClone(sample);
      let node = copy as Record<string | number, unknown>;
      for (const key of path) node = node[key] as Record<string | number, unknown>;
      node.unexpected = 1;
      out.push({ label: `${[...path, 'unexpected'].join('.')} added`, payload: copy });
    }
  };
  walk(sample, []);
  return out;
}

const topLevelFields = (problems: string) => [...new Set([...problems.matchAll(/(?:^|, )([A-Za-z]+)[.:]/g)].map((m) => m[1]))].sort();

describe('compiled contract validators agree with class-validator', () => {
  it.each(Object.keys(samples) as (keyof typeof INTEGRATION_EVENTS)[])('%s: the sample is valid for both', (type) => {
    expect(registry.payloadProblems(type, 1, samples[type])).toEqual([]);
    expect(classValidatorProblems(INTEGRATION_EVENTS[type], samples[type])).toBe('');
  });

  it.each(Object.keys(samples) as (keyof typeof INTEGRATION_EVENTS)[])('%s: every mutation gets the same verdict, on the same fields', (type) => {
    const disagreements: string[] = [];
    const cases = mutations(samples[type]);
    for (const { label, payload } of cases) {
      const compiled = registry.payloadProblems(type, 1, payload)!;
      const reference = classValidatorProblems(INTEGRATION_EVENTS[type], payload);
      const compiledFields = [...new Set(compiled.map((p) => p.path.split('.')[0]))].sort();
      if (compiledFields.join() !== topLevelFields(reference).join())
        disagreements.push(`${label}: compiled [${compiledFields}] vs class-validator [${topLevelFields(reference)}] (${reference})`);
    }
    expect(disagreements).toEqual([]);
    expect(cases.length).toBeGreaterThan(20);
  });
});

describe('version 2 of CampaignMessageBounced (a bounce the provider reports later)', () => {
  const v2 = { ...samples.CampaignMessageBounced, kind: 'async-hard' };

  it('takes kind async-hard, which version 1 refuses (why it is a new version)', () => {
    expect(registry.payloadProblems('CampaignMessageBounced', 2, v2)).toEqual([]);
    expect(registry.payloadProblems('CampaignMessageBounced', 2, samples.CampaignMessageBounced)).toEqual([]);
    expect(registry.payloadProblems('CampaignMessageBounced', 1, v2)).not.toEqual([]);
    expect(registry.has('CampaignMessageSent', 2)).toBe(false);
  });

  it('every mutation gets the same verdict from the compiled validator and class-validator', () => {
    const disagreements: string[] = [];
    for (const { label, payload } of mutations(v2)) {
      const compiled = registry.payloadProblems('CampaignMessageBounced', 2, payload)!;
      const reference = classValidatorProblems(INTEGRATION_EVENTS_V2.CampaignMessageBounced, payload);
      const compiledFields = [...new Set(compiled.map((p) => p.path.split('.')[0]))].sort();
      if (compiledFields.join() !== topLevelFields(reference).join()) disagreements.push(`${label}: [${compiledFields}] vs [${topLevelFields(reference)}]`);
    }
    expect(disagreements).toEqual([]);
  });
});

describe('version 2 of CampaignMessageSuppressed (an address on the suppression list)', () => {
  const v2 = { ...samples.CampaignMessageSuppressed, reason: 'address-suppressed' };

  it('takes reason address-suppressed, which version 1 refuses (why it is a new version)', () => {
    expect(registry.payloadProblems('CampaignMessageSuppressed', 2, v2)).toEqual([]);
    expect(registry.payloadProblems('CampaignMessageSuppressed', 1, v2)).not.toEqual([]);
  });

  it('every mutation gets the same verdict from the compiled validator and class-validator', () => {
    const disagreements: string[] = [];
    for (const { label, payload } of mutations(v2)) {
      const compiled = registry.payloadProblems('CampaignMessageSuppressed', 2, payload)!;
      const reference = classValidatorProblems(INTEGRATION_EVENTS_V2.CampaignMessageSuppressed, payload);
      const compiledFields = [...new Set(compiled.map((p) => p.path.split('.')[0]))].sort();
      if (compiledFields.join() !== topLevelFields(reference).join()) disagreements.push(`${label}: [${compiledFields}] vs [${topLevelFields(reference)}]`);
    }
    expect(disagreements).toEqual([]);
  });
});

describe('a contact’s postal address (optional addition to version 1)', () => {
  const sealed = (n: number) => `pii:v1:${id}:${'A'.repeat(22 + n)}`;
  const added = (address: unknown) => ({ customerId: id, contact: { contactId: id, name: 'Budi', address } });
  const verdicts = (payload: Record<string, unknown>) => [
    registry.payloadProblems('CustomerContactAdded', 1, payload)!.length === 0,
    classValidatorProblems(INTEGRATION_EVENTS.CustomerContactAdded, payload) === '',
  ];

  it('is optional: a contact recorded before addresses existed is still valid', () => {
    expect(verdicts({ customerId: id, contact: { contactId: id, name: 'Budi' } })).toEqual([true, true]);
  });
  it('is valid sealed, every part of it (a sealed line is longer than a plain one may be)', () => {
    const address = { lines: [sealed(200), sealed(1)], postalCode: sealed(2), locality: sealed(3), region: sealed(4), country: sealed(5) };
    expect(verdicts(added(address))).toEqual([true, true]);
  });
  it('refuses a plain country that is not two upper-case letters, more than four lines, none, and arrays where objects belong', () => {
    const ok = { lines: ['Jl. Sudirman 1'], locality: 'Bandung', country: 'ID' };
    for (const bad of [
      { ...ok, country: 'idn' },
      { ...ok, lines: ['1', '2', '3', '4', '5'] },
      { ...ok, lines: [] },
      { ...ok, lines: [['x']] },
      [ok],
      { ...ok, locality: undefined },
    ])
      expect(verdicts(added(bad))).toEqual([false, false]);
  });
});

describe('version 2 of OrderPlaced (a sale a partner reported: issue 14 §6)', () => {
  const v2 = { ...samples.OrderPlaced, source: 'sell-through', partnerId: id };

  it('takes source sell-through with partnerId, which version 1 refuses (why it is a new version)', () => {
    expect(registry.payloadProblems('OrderPlaced', 2, v2)).toEqual([]);
    expect(registry.payloadProblems('OrderPlaced', 2, samples.OrderPlaced)).toEqual([]);
    expect(registry.payloadProblems('OrderPlaced', 1, { ...samples.OrderPlaced, source: 'sell-through' })).not.toEqual([]);
  });

  it('every mutation gets the same verdict from the compiled validator and class-validator', () => {
    const disagreements: string[] = [];
    for (const { label, payload } of mutations(v2)) {
      const compiled = registry.payloadProblems('OrderPlaced', 2, payload)!;
      const reference = classValidatorProblems(INTEGRATION_EVENTS_V2.OrderPlaced, payload);
      const compiledFields = [...new Set(compiled.map((p) => p.path.split('.')[0]))].sort();
      if (compiledFields.join() !== topLevelFields(reference).join()) disagreements.push(`${label}: [${compiledFields}] vs [${topLevelFields(reference)}]`);
    }
    expect(disagreements).toEqual([]);
  });
});
