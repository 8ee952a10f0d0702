import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type EventStore, type ExpectedRevision } from '@crm/event-store';
import { minorUnitsToDecimal, type Clock } from '@crm/kernel';
import {
  ivrMenuDecider,
  ivrMenuStream,
  ivrNodeAt,
  NotFoundError,
  type IvrMenuCommand,
  type IvrMenuEvent,
  type IvrMenuNode,
  type IvrMenuState,
} from '@crm/relationship';
import { metadataFor, READ_MODELS, visibilityFor, type ReadModelRunners } from '@crm/relationship-api';
import { OrderListEntry } from '@crm/relationship-read-models';
import { CLOCK, type Principal } from '@crm/service-kit';
import { ChannelCases, channelPrincipal } from '../channel-cases';
import { CHANNEL_STORE } from '../channel-store';
import { CallCommands, type ProviderCall } from '../telephony/call-commands';
import type { TwimlVerb } from '../telephony/twiml';

/** The queue a call goes to when there is no menu, or the menu changed under the caller. */
export const DEFAULT_TEAM = 'support';
/** The menu a call starts in unless the provider's voice URL names another (`?menu=`). */
export const ENTRY_MENU = 'main';
/** Silence after a menu this many times: the IVR says goodbye. */
const MAX_SILENCES = 2;

/** Where the caller is in a menu tree: which menu, the keys pressed from its top, the step (names the interaction a key press records). */
export interface IvrPosition {
  menu: string;
  path: string;
  step: number;
  silences: number;
}

const ivr = channelPrincipal('ivr');

/**
 * IVR menus: set and read by supervisors, walked by callers. Each key press is an interaction
 * (channel `ivr`) on the call's case; self-service (order status, case status) marks the call as
 * contained unless the caller goes on to a queue.
 */
@Injectable()
export class IvrMenus {
  private readonly handler: CommandHandler<IvrMenuState, IvrMenuCommand, IvrMenuEvent>;

  constructor(
    @Inject(CHANNEL_STORE) store: EventStore,
    private readonly calls: CallCommands,
    private readonly cases: ChannelCases,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.handler = new CommandHandler(store, ivrMenuDecider, { retries: 2 });
  }

  async set(
    principal: Principal,
    menuId: string,
    root: IvrMenuNode,
    expectedRevision?: ExpectedRevision,
  ): Promise<{ revision: bigint | undefined; created: boolean }> {
    const r = await this.handler.handle(
      ivrMenuStream(menuId),
      { type: 'SetIvrMenu', data: { menuId, root, at: this.clock.now().toISOString() } },
      metadataFor(principal, this.clock, visibilityFor(principal)),
      { expectedRevision },
    );
    return { revision: r.revision, created: r.appended && r.state?.version === 1 };
  }

  async get(menuId: string): Promise<{ menuId: string; root: IvrMenuNode; revision: bigint }> {
    const { state, revision } = await this.handler.load(ivrMenuStream(menuId));
    if (!state || revision === undefined) throw new NotFoundError(`IVR menu ${menuId} not found`);
    return { menuId: state.menuId, root: state.root, revision };
  }

  private async find(menuId: string): Promise<IvrMenuNode | undefined> {
    return (await this.handler.load(ivrMenuStream(menuId))).state?.root;
  }

  /** What a call hears first: the entry menu's top, or straight into the default queue when there is none. */
  async entry(call: ProviderCall, menuId: string, url: (p: IvrPosition) => string): Promise<TwimlVerb[]> {
    const root = await this.find(menuId);
    if (!root) {
      await this.calls.route(call.callId, 'queue', DEFAULT_TEAM);
      return [{ say: 'Thank you for calling. Please hold for the next agent.' }, { enqueue: DEFAULT_TEAM }];
    }
    return this.menu(root, { menu: menuId, path: '', step: 0, silences: 0 }, url);
  }

  /** The caller pressed `digits` (or nothing) at `at`. */
  async respond(call: ProviderCall, at: IvrPosition, digits: string | undefined, url: (p: IvrPosition) => string): Promise<TwimlVerb[]> {
    const state = await this.calls.state(call.callId);
    if (!state) throw new NotFoundError(`call ${call.callId} was never offered`);
    const root = await this.find(at.menu);
    const node = root && ivrNodeAt(root, at.path);
    // The menu was changed or removed while the caller was in it: to a person rather than a dead end.
    if (!root || !node) {
      await this.calls.route(call.callId, 'queue', DEFAULT_TEAM);
      return [{ say: 'Sorry, this menu has changed. Please hold for the next agent.' }, { enqueue: DEFAULT_TEAM }];
    }
    const next = { ...at, step: at.step + 1, silences: 0 };
    if (!digits) {
      if (at.silences + 1 >= MAX_SILENCES) return [{ say: 'We did not receive a choice. Goodbye.' }, { hangup: true }];
      return this.menu(node, { ...next, silences: at.silences + 1 }, url);
    }
    const option = node.options.find((o) => o.digits === digits);
    if (state.case)
      await this.cases.record(ivr, state.case, {
        key: `${call.callId}/${at.step}`,
        kind: 'ivr-step',
        channel: 'ivr',
        direction: 'inbound',
        actor: state.caller ? { kind: 'customer', id: state.caller } : { kind: 'system', id: 'ivr' },
        action: option ? `pressed ${digits} in menu ${at.menu}: ${option.label}` : `pressed ${digits} in menu ${at.menu}: not an option`,
        occurredAt: this.clock.now().toISOString(),
      });
    if (!option) return [{ say: 'Sorry, that is not an option.' }, ...this.menu(node, next, url)];
    const action = option.action;
    switch (action.kind) {
      case 'menu':
        return this.menu(action.menu, { ...next, path: at.path + digits }, url);
      case 'repeat':
        return this.menu(node, next, url);
      case 'back':
        return this.menu(ivrNodeAt(root, at.path.slice(0, -1)) ?? root, { ...next, path: at.path.slice(0, -1) }, url);
      case 'hangup':
        return [{ say: 'Thank you for calling. Goodbye.' }, { hangup: true }];
      case 'enqueue':
        await this.calls.route(call.callId, 'queue', action.team);
        return [{ say: `Connecting you to ${option.label}. Please hold.` }, { enqueue: action.team }];
      case 'order-status':
      case 'case-status': {
        await this.calls.route(call.callId, 'self-service');
        const answer = action.kind === 'order-status' ? await this.orderStatus(state.caller) : await this.caseStatus(state.caller);
        // Back to the menu the caller was in: another choice, a queue, or hanging up (contained).
        return [{ say: answer }, { redirect: url({ ...next, silences: 0 }) }];
      }
    }
  }

  private menu(node: IvrMenuNode, at: IvrPosition, url: (p: IvrPosition) => string): TwimlVerb[] {
    const choices = node.options.map((o) => `For ${o.label}, press ${o.digits === '*' ? 'star' : o.digits === '#' ? 'pound' : o.digits}.`).join(' ');
    // No key pressed: the Redirect comes back here without Digits (a silence).
    return [{ gather: { numDigits: 1, action: url(at), say: `${node.prompt} ${choices}` } }, { redirect: url({ ...at, silences: at.silences }) }];
  }

  private async orderStatus(customerId: string | undefined): Promise<string> {
    if (!customerId) return 'We could not find your number in our records, so we cannot tell you about your orders.';
    const order = await this.readModels.dataSource.manager
      .getRepository(OrderListEntry)
      .findOne({ where: { customerId }, order: { orderDate: 'DESC', placedAt: 'DESC', orderId: 'ASC' } });
    if (!order) return 'We have no orders of yours.';
    const status = { placed: 'placed', cancelled: 'cancelled', returned: 'returned', 'partially-returned': 'partly returned' }[order.status] ?? order.status;
    const total = minorUnitsToDecimal(Number(order.total), order.currency);
    return `Your latest order, of ${order.orderDate.toISOString().slice(0, 10)}, for ${total} ${order.currency}, is ${status}.`;
  }

  private async caseStatus(customerId: string | undefined): Promise<string> {
    if (!customerId) return 'We could not find your number in our records, so we cannot tell you about your cases.';
    const open = await this.cases.latestOpenCase(customerId);
    if (!open) return 'You have no open case with us.';
    return `Your case ${open.name}, opened on ${open.openedAt.slice(0, 10)}, is open and being worked on.`;
  }
}
