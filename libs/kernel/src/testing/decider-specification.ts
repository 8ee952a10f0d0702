import { DomainRuleViolation } from '../vocabulary';
import type { Decider } from '../decider';

/**
 * Given / when / then for deciders (as Emmett's `DeciderSpecification`):
 *
 *   const given = DeciderSpecification.for(customerDecider);
 *   given([registered]).when(changeStage).then([stageChanged]);
 *   given([]).when(changeStage).thenBreaks('unknown-customer');
 *
 * `given` takes the events already in the stream; `then` the events the command must produce
 * (compared with Jest's `toEqual`); `thenNothingHappens` a command that is accepted but changes
 * nothing (a retried request); `thenBreaks` the rule a refused command breaks.
 */
export const DeciderSpecification = {
  for<State, Command, Event extends { type: string; data: unknown }>(decider: Decider<State, Command, Event>) {
    return (given: Event | readonly Event[]) => ({
      when(command: Command) {
        const run = (): Event[] => decider.decide(command, ([] as Event[]).concat(given).reduce(decider.evolve, decider.initialState));
        return {
          then(expected: Event | readonly Event[]): void {
            expect(run()).toEqual(([] as Event[]).concat(expected));
          },
          thenNothingHappens(): void {
            expect(run()).toEqual([]);
          },
          thenBreaks(rule: string): void {
            let outcome = 'no violation';
            try {
              run();
            } catch (error) {
              if (!(error instanceof DomainRuleViolation)) throw error;
              outcome = error.rule;
            }
            expect(outcome).toBe(rule);
          },
        };
      },
    });
  },
};
