import type { EventStore } from '@crm/event-store';
import { systemClock } from '@crm/kernel';
import { CustomerCommands } from '../customers/customer-commands';
import { EpisodeCommands } from '../episodes/episode-commands';
import { LeadCommands } from '../leads/lead-commands';
import { ActivityCommands } from '../activities/activity-commands';
import { CalendarFeedCommands } from '../activities/calendar-feed-commands';
import { AggregatePartnerAccess, PartnerCommands, type PartnerAccess } from '../partners/partner-commands';
import { OrderCommands } from '../orders/order-commands';
import { OrderImports } from '../orders/order-imports';
import type { CommandSettings } from './command-options';
import { CatalogueCommands } from '../quotes/catalogue-commands';
import { QuoteCommands, type PriceBookFinder } from '../quotes/quote-commands';
import { CaseSatisfactionCommands } from '../episodes/case-satisfaction-commands';
import { CaseCommands } from '../cases/case-commands';
import { ReturnRepairCommands, type CustomerOrderIds } from '../returns/return-repair-commands';

export interface RelationshipCommands {
  customers: CustomerCommands;
  episodes: EpisodeCommands;
  partners: PartnerCommands;
  leads: LeadCommands;
  /** Product catalogue and quotes (issue 10 §3–4). */
  catalogue: CatalogueCommands;
  quotes: QuoteCommands;
  activities: ActivityCommands;
  calendarFeeds: CalendarFeedCommands;
  orders: OrderCommands;
  orderImports: OrderImports;
  /** The satisfaction survey of resolved cases (issue 12 §6). */
  caseSatisfaction: CaseSatisfactionCommands;
  /** Cases people work (issue 12 §1): details, status, assignment, reopening. */
  cases: CaseCommands;
  /** Returns and repairs, the service department's side (issue 12 §5). */
  returns: ReturnRepairCommands;
}

/**
 * The command modules of every relationship aggregate on one store, wired as `RelationshipApiModule`
 * wires them — for tools and tests that run commands without a Nest application.
 */
export function createRelationshipCommands(
  store: EventStore,
  settings: CommandSettings = { clock: systemClock },
  access?: PartnerAccess,
  /** Without read models a quote must name its price book (none is found for it). */
  findPriceBook: PriceBookFinder = async () => undefined,
  /** The ids of a customer's orders, for the warranty of a return; without read models, only a named order is judged. */
  customerOrderIds: CustomerOrderIds = async () => [],
): RelationshipCommands {
  const customers = new CustomerCommands(store, settings);
  const partners = new PartnerCommands(store, customers, settings);
  const episodes = new EpisodeCommands(store, customers, access ?? new AggregatePartnerAccess(partners, settings.clock), settings);
  const catalogue = new CatalogueCommands(store, settings);
  const orders = new OrderCommands(store, customers, episodes, settings);
  return {
    customers,
    episodes,
    partners,
    leads: new LeadCommands(store, customers, episodes, settings),
    catalogue,
    quotes: new QuoteCommands(store, catalogue, episodes, findPriceBook, settings),
    activities: new ActivityCommands(store, customers, episodes, settings),
    calendarFeeds: new CalendarFeedCommands(store, settings),
    orders,
    orderImports: new OrderImports(store, customers, orders, settings),
    caseSatisfaction: new CaseSatisfactionCommands(store, settings),
    cases: new CaseCommands(store, settings),
    returns: new ReturnRepairCommands(store, orders, partners, customerOrderIds, settings),
  };
}
