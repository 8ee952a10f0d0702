/**
 * Whose turn it is in each round-robin rule. One capture per rule at a time (in this process): it
 * reads the turn, records its capture, and moves the turn on only if the capture recorded an
 * assignment (a capture done before, or refused, leaves the turn where it was). The count starts
 * from `seed` — the leads the rule assigned so far, from the leads read model — so a restarted
 * service continues the rotation. Several instances of a service each rotate on their own.
 */
export class RoundRobinTurns {
  private readonly turns = new Map<string, number>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly seed: (ruleId: string) => Promise<number> = async () => 0) {}

  withTurn<T>(ruleId: string, run: (turn: number) => Promise<{ result: T; taken: boolean }>): Promise<T> {
    const previous = this.queues.get(ruleId) ?? Promise.resolve();
    const next = previous.then(async () => {
      let turn = this.turns.get(ruleId);
      if (turn === undefined) {
        turn = await this.seed(ruleId).catch(() => 0);
        this.turns.set(ruleId, turn);
      }
      const { result, taken } = await run(turn);
      if (taken) this.turns.set(ruleId, turn + 1);
      return result;
    });
    const settled = next.catch(() => undefined);
    this.queues.set(ruleId, settled);
    void settled.then(() => {
      if (this.queues.get(ruleId) === settled) this.queues.delete(ruleId);
    });
    return next;
  }
}
