import { DomainRuleViolation, SLUG_ID, type Decider } from '@crm/kernel';

/**
 * An IVR menu tree (stream `ivrmenu-<menuId>`): what the caller hears and what each key leads to.
 * Submenus are nested in their option, so a tree is set (and checked) whole: every option leads
 * somewhere by construction, and the only ways back up — `repeat` (this menu again) and `back` (the
 * menu above) — are judged so that no menu loops without an exit.
 */
export type IvrAction =
  | { kind: 'menu'; menu: IvrMenuNode }
  /** Into a team's queue (`<Enqueue>`): an agent takes the call. */
  | { kind: 'enqueue'; team: string }
  /** Self-service: the caller's latest order's status is read out. */
  | { kind: 'order-status' }
  /** Self-service: the caller's open case's status is read out. */
  | { kind: 'case-status' }
  | { kind: 'repeat' }
  | { kind: 'back' }
  | { kind: 'hangup' };

export interface IvrOption {
  /** The key: one of 0–9, `*`, `#`. */
  readonly digits: string;
  readonly label: string;
  readonly action: IvrAction;
}

export interface IvrMenuNode {
  /** What is said before the options are listed. */
  readonly prompt: string;
  readonly options: readonly IvrOption[];
}

export const IVR_MAX_DEPTH = 5;
export const IVR_MAX_OPTIONS = 12;
export const IVR_DIGITS = /^[0-9*#]$/;

export type IvrMenuState = { menuId: string; root: IvrMenuNode; version: number } | undefined;
export type IvrMenuEvent = { type: 'IvrMenuSet'; data: { menuId: string; root: IvrMenuNode; setAt: string } };
export type IvrMenuCommand = { type: 'SetIvrMenu'; data: { menuId: string; root: IvrMenuNode; at: string } };

export const ivrMenuStream = (menuId: string) => `ivrmenu-${menuId}`;

/** The rules a menu tree breaks (empty: none), each with where: `options.1.action.menu.options.0`. */
export function ivrMenuProblems(root: IvrMenuNode): { path: string; rule: string; message: string }[] {
  const problems: { path: string; rule: string; message: string }[] = [];
  const walk = (node: IvrMenuNode, path: string, depth: number) => {
    if (depth > IVR_MAX_DEPTH) {
      problems.push({ path, rule: 'ivr-too-deep', message: `menus nest at most ${IVR_MAX_DEPTH} deep` });
      return;
    }
    if (node.options.length === 0 || node.options.length > IVR_MAX_OPTIONS)
      problems.push({ path: `${path}options`, rule: 'ivr-options', message: `a menu has 1 to ${IVR_MAX_OPTIONS} options` });
    const seen = new Set<string>();
    node.options.forEach((option, i) => {
      const at = `${path}options.${i}.`;
      if (!IVR_DIGITS.test(option.digits)) problems.push({ path: `${at}digits`, rule: 'ivr-digits', message: 'a key is one of 0-9, * and #' });
      if (seen.has(option.digits)) problems.push({ path: `${at}digits`, rule: 'ivr-digits-taken', message: `key ${option.digits} is taken in this menu` });
      seen.add(option.digits);
      const a = option.action;
      if (a.kind === 'enqueue' && !SLUG_ID.test(a.team))
        problems.push({ path: `${at}action.team`, rule: 'ivr-team', message: 'a team is a slug id (lower-case letters, digits, -)' });
      if (a.kind === 'back' && depth === 1)
        problems.push({ path: `${at}action`, rule: 'ivr-back-at-top', message: 'the top menu has no menu above it to go back to' });
      if (a.kind === 'menu') walk(a.menu, `${at}action.menu.`, depth + 1);
    });
    // A menu whose every key returns to itself or above it loops for ever: one key must lead on
    // (to a submenu, a queue, self-service, or the end of the call).
    if (node.options.length > 0 && node.options.every((o) => o.action.kind === 'repeat' || o.action.kind === 'back'))
      problems.push({
        path: `${path}options`,
        rule: 'ivr-no-exit',
        message: 'every key of this menu leads back: one must lead on (a submenu, a queue, self-service or hang-up)',
      });
  };
  walk(root, '', 1);
  return problems;
}

/** The node a path of keys leads to from the root (`"12"`: key 1, then key 2); undefined when it leads nowhere. */
export function ivrNodeAt(root: IvrMenuNode, path: string): IvrMenuNode | undefined {
  let node: IvrMenuNode | undefined = root;
  for (const key of path) {
    const action: IvrAction | undefined = node?.options.find((o) => o.digits === key)?.action;
    node = action?.kind === 'menu' ? action.menu : undefined;
  }
  return node;
}

/** A tree as JSON with its keys sorted: the stored tree comes back from the store with its keys in another order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );

export const ivrMenuDecider: Decider<IvrMenuState, IvrMenuCommand, IvrMenuEvent> = {
  initialState: undefined,
  evolve: (state, event) => ({ menuId: event.data.menuId, root: event.data.root, version: (state?.version ?? 0) + 1 }),
  decide: (command, state) => {
    const { menuId, root, at } = command.data;
    if (!SLUG_ID.test(menuId)) throw new DomainRuleViolation('ivr-menu-id', 'a menu id is a slug id (lower-case letters, digits, -)');
    const problems = ivrMenuProblems(root);
    if (problems.length > 0) throw new DomainRuleViolation(problems[0].rule, problems.map((p) => `${p.path || 'menu'}: ${p.message}`).join('; '));
    // The same tree again (a retried PUT) changes nothing.
    if (state && canonical(state.root) === canonical(root)) return [];
    return [{ type: 'IvrMenuSet', data: { menuId, root, setAt: at } }];
  },
};
