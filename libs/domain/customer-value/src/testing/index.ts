export * from './cdnow';
