// PGlite publishes its contrib extensions under package "exports", which this repo's
// `moduleResolution: node` does not read; Node's require does. The type, restated:
declare module '@electric-sql/pglite/contrib/pg_trgm' {
  import type { Extension } from '@electric-sql/pglite';
  export const pg_trgm: Extension;
}
