/**
 * Every text the console shows, in English, in one place (one file per area) for translation: a
 * translation is a copy of this folder with the same keys. Components read texts with `t()`.
 */
import { analytics } from './analytics';
import { common } from './common';
import { customers } from './customers';
import { live } from './live';
import { marketing } from './marketing';
import { partners } from './partners';
import { sales } from './sales';
import { service } from './service';

export const en = { ...common, customers, sales, service, marketing, analytics, partners, live } as const;
