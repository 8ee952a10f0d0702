export * from './rule';
export * from './facts';
export * from './rfm';
export * from './evaluate';
export * from './compile-sql';
export * from './segment';
export * from './membership';
export * from './testing';
