import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { PartnerDirectoryRow, partnerDirectoryProjection, type PartnerDirectoryEvent } from './partner-directory.projection';

const partnerId = randomUUID();
const registered = (name = 'PT Distribusi NUSANTARA'): SpecEvent<PartnerDirectoryEvent> => ({
  type: 'PartnerRegistered',
  data: { partnerId, name, partnerKind: 'distributor' },
  subject: partnerId,
  time: '2026-03-02T09:00:00.000Z',
});
const deactivated: SpecEvent<PartnerDirectoryEvent> = {
  type: 'PartnerDeactivated',
  data: { partnerId, deactivatedAt: '2026-05-01T10:00:00.000Z', deactivatedBy: 'rudi' },
  subject: partnerId,
};

// The staff partner directory (issue 16), given / when / then through a real projection runner on PGlite.
describe('partner directory read model (partner portal)', () => {
  const given = ProjectionSpecification.for({ projection: partnerDirectoryProjection(), registry: crmRegistry() });

  it('a registration is a row with its name, its lower-cased sort key, its kind and the instant it happened', async () => {
    await given([])
      .when([registered()])
      .thenRows(PartnerDirectoryRow, [
        {
          partnerId,
          name: 'PT Distribusi NUSANTARA',
          nameKey: 'pt distribusi nusantara',
          partnerKind: 'distributor',
          registeredAt: new Date('2026-03-02T09:00:00.000Z'),
          deactivatedAt: null,
        },
      ]);
  });

  it('a registration delivered again changes nothing; a deactivation sets when the partnership ended', async () => {
    await given([registered()])
      .when([registered('Another name'), deactivated])
      .thenRows(PartnerDirectoryRow, [{ partnerId, name: 'PT Distribusi NUSANTARA', deactivatedAt: new Date('2026-05-01T10:00:00.000Z') }]);
  });
});
