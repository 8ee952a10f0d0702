// Loaded first by main.ts: tracing (off unless configured) patches http, express, pg and kafkajs as
// they load, so it must start before any of them is required (docs/operations.md, Logs and traces).
import { startTelemetry } from '@crm/telemetry/start';

startTelemetry({ serviceName: 'crm-analytics' });
