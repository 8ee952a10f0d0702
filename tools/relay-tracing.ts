// Loaded first by relay.ts: tracing (off unless configured) patches pg and kafkajs as they load, so
// it must start before either is required (docs/operations.md, Logs and traces).
import { startTelemetry } from '@crm/telemetry/start';

startTelemetry({ serviceName: 'crm-relay' });
