import type { LogLevel } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';

/**
 * Nest's log levels for `CRM_LOG_LEVEL`. Nest's `log` level is start-up chatter (every module and
 * route), so `info` — the default — keeps Nest at warnings and errors; `debug` shows everything.
 */
export function nestLogLevels(level: PlatformConfig['CRM_LOG_LEVEL']): LogLevel[] {
  switch (level) {
    case 'error':
      return ['fatal', 'error'];
    case 'warn':
    case 'info':
      return ['fatal', 'error', 'warn'];
    case 'debug':
      return ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  }
}
