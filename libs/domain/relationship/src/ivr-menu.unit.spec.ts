import { DeciderSpecification } from '@crm/kernel/testing';
import { ivrMenuDecider, ivrMenuProblems, ivrNodeAt, type IvrMenuEvent, type IvrMenuNode } from './ivr-menu';

const given = DeciderSpecification.for(ivrMenuDecider);
const billing: IvrMenuNode = {
  prompt: 'Billing.',
  options: [
    { digits: '1', label: 'talk to billing', action: { kind: 'enqueue', team: 'billing' } },
    { digits: '9', label: 'back', action: { kind: 'back' } },
  ],
};
const main: IvrMenuNode = {
  prompt: 'Welcome.',
  options: [
    { digits: '1', label: 'order status', action: { kind: 'order-status' } },
    { digits: '2', label: 'case status', action: { kind: 'case-status' } },
    { digits: '3', label: 'billing', action: { kind: 'menu', menu: billing } },
    { digits: '0', label: 'an agent', action: { kind: 'enqueue', team: 'support' } },
    { digits: '*', label: 'repeat', action: { kind: 'repeat' } },
  ],
};
const set = (root: IvrMenuNode) => ({ type: 'SetIvrMenu' as const, data: { menuId: 'main', root, at: '2026-03-02T09:00:00.000Z' } });
const setEvent: IvrMenuEvent = { type: 'IvrMenuSet', data: { menuId: 'main', root: main, setAt: '2026-03-02T09:00:00.000Z' } };
const nest = (depth: number): IvrMenuNode =>
  depth === 0 ? billing : { prompt: `level ${depth}`, options: [{ digits: '1', label: 'down', action: { kind: 'menu', menu: nest(depth - 1) } }] };

describe('IVR menu', () => {
  it('is set whole; the same tree again changes nothing; a changed one is set again', () => {
    given([]).when(set(main)).then(setEvent);
    given([setEvent]).when(set(main)).thenNothingHappens();
    const changed = { ...main, prompt: 'Hello.' };
    given([setEvent])
      .when(set(changed))
      .then({ type: 'IvrMenuSet', data: { ...setEvent.data, root: changed } });
  });

  it('refuses a menu whose every key leads back (a loop without an exit)', () => {
    const loop: IvrMenuNode = { prompt: 'x', options: [{ digits: '1', label: 'again', action: { kind: 'repeat' } }] };
    given([]).when(set(loop)).thenBreaks('ivr-no-exit');
    const deepLoop: IvrMenuNode = {
      prompt: 'x',
      options: [
        {
          digits: '1',
          label: 'sub',
          action: {
            kind: 'menu',
            menu: {
              prompt: 'y',
              options: [
                { digits: '1', label: 'up', action: { kind: 'back' } },
                { digits: '2', label: 'again', action: { kind: 'repeat' } },
              ],
            },
          },
        },
      ],
    };
    expect(ivrMenuProblems(deepLoop)).toEqual([expect.objectContaining({ path: 'options.0.action.menu.options', rule: 'ivr-no-exit' })]);
  });

  it('refuses menus nested deeper than five, a taken key, a bad key, no options, back at the top, a team that is no slug', () => {
    expect(ivrMenuProblems(nest(4))).toEqual([]);
    given([])
      .when(set(nest(5)))
      .thenBreaks('ivr-too-deep');
    const rules = (root: IvrMenuNode) => ivrMenuProblems(root).map((p) => p.rule);
    expect(rules({ prompt: 'x', options: [main.options[0], { ...main.options[1], digits: '1' }] })).toEqual(['ivr-digits-taken']);
    expect(rules({ prompt: 'x', options: [{ ...main.options[0], digits: '12' }] })).toEqual(['ivr-digits']);
    expect(rules({ prompt: 'x', options: [] })).toEqual(['ivr-options']);
    expect(rules({ prompt: 'x', options: [main.options[0], { digits: '9', label: 'back', action: { kind: 'back' } }] })).toEqual(['ivr-back-at-top']);
    expect(rules({ prompt: 'x', options: [{ digits: '1', label: 'q', action: { kind: 'enqueue', team: 'Billing Team' } }] })).toEqual(['ivr-team']);
    given([])
      .when({ type: 'SetIvrMenu', data: { menuId: 'Main Menu', root: main, at: '2026-03-02T09:00:00.000Z' } })
      .thenBreaks('ivr-menu-id');
  });

  it('finds the node a path of keys leads to', () => {
    expect(ivrNodeAt(main, '')).toBe(main);
    expect(ivrNodeAt(main, '3')).toBe(billing);
    expect(ivrNodeAt(main, '1')).toBeUndefined();
    expect(ivrNodeAt(main, '37')).toBeUndefined();
  });
});
