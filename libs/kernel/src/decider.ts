/**
 * An aggregate's behaviour as three pure parts (Jérémie Chassaing's decider, as Emmett writes it):
 * `decide` turns a command and the current state into events (or throws a DomainRuleViolation),
 * `evolve` folds one event into the state, `initialState` is the state before the first event.
 * The domain exports one per aggregate; the application layer runs them against the event store.
 */
export interface Decider<State, Command, Event extends { type: string; data: unknown }> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  readonly initialState: State;
}
