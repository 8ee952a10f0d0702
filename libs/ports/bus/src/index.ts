export * from './envelope';
export * from './envelope.dto';
export * from './registry';
export * from './bus';
export * from './deliver';
export { digitsAt, isCalendarDateTime } from './envelope-time';
