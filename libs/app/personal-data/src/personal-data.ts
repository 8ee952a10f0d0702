import { isSealed, mapPersonalFields, personalDataSubject, personalValues } from '@crm/contracts';
import { keyIdOf, open, seal } from './cipher';
import { PersonalDataKeys, type Queryable } from './personal-data-keys';

/** What sealing and revealing need of an event: its type and its data. */
export interface WithData {
  type: string;
  data: unknown;
}

/**
 * Crypto-shredding of the CRM's events (docs/customer-data.md "Erasure"): personal fields
 * (`PERSONAL_FIELDS` of `@crm/contracts`) are sealed with their subject's key before they are
 * stored, travel sealed through the bus, and are revealed only where a service reads them — with one
 * key lookup per batch. Once the subject's keys are destroyed they reveal as `ERASED`, in every
 * read, replay and rebuild.
 */
export class PersonalData {
  constructor(readonly keys: PersonalDataKeys) {}

  /** The events with their personal fields sealed (values already sealed stay as they are). */
  async seal<E extends WithData>(db: Queryable, events: readonly E[]): Promise<E[]> {
    const subjects = events.flatMap((e) => {
      const subject = personalDataSubject(e.type, e.data);
      return subject && personalValues(e.type, e.data).some((v) => !isSealed(v)) ? [subject] : [];
    });
    if (subjects.length === 0) return [...events];
    const keys = await this.keys.forSealing(db, subjects);
    return events.map((e) => {
      const subject = personalDataSubject(e.type, e.data);
      const key = subject && keys.get(subject);
      if (!key) return e;
      return { ...e, data: mapPersonalFields(e.type, e.data, (v) => (isSealed(v) ? v : seal(v, key.keyId, key.key))) };
    });
  }

  /** The events with their personal fields revealed, or `ERASED` where the key is gone. */
  async reveal<E extends WithData>(db: Queryable, events: readonly E[]): Promise<E[]> {
    const keyIds = events.flatMap((e) => personalValues(e.type, e.data).filter(isSealed).map(keyIdOf));
    if (keyIds.length === 0) return [...events];
    const keys = await this.keys.byId(db, keyIds);
    return events.map((e) => {
      const values = personalValues(e.type, e.data);
      if (!values.some(isSealed)) return e;
      return { ...e, data: mapPersonalFields(e.type, e.data, (v) => open(v, keys)) };
    });
  }

  /** Destroys the subjects' keys: from now on their sealed values reveal as `ERASED`. */
  erase(db: Queryable, subjects: readonly string[]): Promise<number> {
    return this.keys.destroy(db, subjects);
  }
}
