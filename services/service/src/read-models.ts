// The read models of service, declared once: service.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service service).
import { serviceReadModels } from '@crm/relationship-api';
import { orderListProjection } from '@crm/relationship-read-models';
import { callLogProjection } from './channels/telephony/call-log.projection';

// The channels' read models (issue 12 §2): the orders list (the IVR's order status) and the call log (IVR containment).
const channelReadModels = [orderListProjection('service'), callLogProjection()];

export const customerServiceReadModels = serviceReadModels('service', [...channelReadModels]);
export const { readModels, registry } = customerServiceReadModels;
