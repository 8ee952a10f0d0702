import { useEffect, useState } from 'react';
import { Badge, Text } from '@mantine/core';
import type { ServiceSchema } from '../../api/clients';
import { t } from '../../i18n/t';
import { everyValue } from '../../api/enums';

type Clock = ServiceSchema<'MetricClockDto'>;
export type CaseClocks = ServiceSchema<'CaseServiceLevelsDto'>;

/** The clock the agent works against now: the running one due first (a paused one when none runs). */
export function currentClock(clocks: Clock[] | undefined): Clock | undefined {
  if (!clocks) return undefined;
  const running = clocks.filter((c) => !c.stoppedAt && c.dueAt).sort((a, b) => Date.parse(a.dueAt!) - Date.parse(b.dueAt!));
  return running[0] ?? clocks.find((c) => !c.stoppedAt && c.state === 'paused');
}

/** The nearest due time of a case's running clocks (ms), for ordering a queue; Infinity when none. */
export function nearestDue(clocks: Clock[] | undefined): number {
  const c = currentClock(clocks);
  return c?.dueAt ? Date.parse(c.dueAt) : Number.POSITIVE_INFINITY;
}

/** The page's clock, one tick a second (the countdowns count down from the server's due time). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

/** "1 h 05 min", "4 min 09 s": a span of milliseconds in words an agent reads at a glance. */
export function span(ms: number): string {
  const s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${two(m)} min`;
  return `${m} min ${two(sec)} s`;
}

/** Time left to a due time, ticking with `now`; red once breached (the server's state, or the due time passed). */
function Countdown({
  metric,
  dueAt,
  breachedState,
  warningState,
  now,
}: {
  metric: string;
  dueAt: string;
  breachedState: boolean;
  warningState: boolean;
  now: number;
}) {
  const name = t(`service.metric.${metric as Clock['metric']}`);
  const left = Date.parse(dueAt) - now;
  const breached = breachedState || left <= 0;
  const warning = !breached && warningState;
  const text = breached ? t('service.sla.overdue', { metric: name, time: span(left) }) : t('service.sla.left', { metric: name, time: span(left) });
  return (
    <Text
      size="sm"
      fw={breached || warning ? 700 : 400}
      c={breached ? 'red.9' : undefined}
      data-sla-state={breached ? 'breached' : warning ? 'warning' : 'on-track'}
    >
      <time dateTime={dueAt}>{text}</time>
    </Text>
  );
}

/**
 * The live countdown of a case's current service-level clock (from `GET /cases/{id}/service-levels`):
 * time left to its due time, red once breached.
 */
export function SlaCountdown({ clocks, now }: { clocks: Clock[] | undefined; now: number }) {
  if (!clocks) return <Text size="sm">{t('service.sla.unknown')}</Text>;
  const c = currentClock(clocks);
  if (!c) {
    const breached = clocks.some((x) => x.state === 'breached' || x.met === false);
    return (
      <Badge color={breached ? 'red.9' : 'teal.9'}>
        {clocks.length === 0 ? t('service.sla.none') : breached ? t('service.clock.breached') : t('service.sla.allMet')}
      </Badge>
    );
  }
  if (!c.dueAt) return <Text size="sm">{t('service.sla.paused', { metric: t(`service.metric.${c.metric}`) })}</Text>;
  const warned = c.state === 'warning' || (c.warnAt !== undefined && Date.parse(c.warnAt) <= now);
  return <Countdown metric={c.metric} dueAt={c.dueAt} breachedState={c.state === 'breached'} warningState={warned} now={now} />;
}

/**
 * The live countdown of a case in a list (`GET /cases`: `slaDueAt`, `slaDueMetric`, `slaState`): time
 * left to the nearest due time of its running clocks, red once breached.
 */
export function ListCountdown({ item, now }: { item: { slaState: string | null; slaDueAt: string | null; slaDueMetric: string | null }; now: number }) {
  if (item.slaDueAt && item.slaDueMetric)
    return <Countdown metric={item.slaDueMetric} dueAt={item.slaDueAt} breachedState={false} warningState={item.slaState === 'warning'} now={now} />;
  if (item.slaState === null) return <Text size="sm">{t('service.sla.unknown')}</Text>;
  if (item.slaState === 'on-track') return <Text size="sm">{t('service.sla.paused', { metric: t('service.sla.label') })}</Text>;
  return <Badge color={item.slaState === 'met' ? 'teal.9' : 'red.9'}>{item.slaState === 'met' ? t('service.sla.allMet') : t('service.clock.breached')}</Badge>;
}

/** Badge colours (filled, white text): shades that keep WCAG AA contrast. */
export const statusColor: Record<string, string> = {
  new: 'blue.9',
  assigned: 'indigo.9',
  'in-progress': 'cyan.9',
  'waiting-on-customer': 'grape.9',
  'waiting-on-partner': 'grape.9',
  resolved: 'teal.9',
  closed: 'gray.7',
  reopened: 'violet.9',
};
export const priorityColor: Record<string, string> = { low: 'gray.7', normal: 'blue.9', high: 'grape.9', urgent: 'red.9' };
export const PRIORITY_RANK: Record<string, number> = { urgent: 3, high: 2, normal: 1, low: 0 };
export const CASE_STATUSES = everyValue<ServiceSchema<'CaseListItemDto'>['status']>()([
  'new',
  'assigned',
  'in-progress',
  'waiting-on-customer',
  'waiting-on-partner',
  'resolved',
  'closed',
  'reopened',
]);
export const OPEN_STATUSES = ['new', 'assigned', 'in-progress', 'waiting-on-customer', 'waiting-on-partner', 'reopened'] as const;
export const PRIORITIES = everyValue<NonNullable<ServiceSchema<'OpenCaseDto'>['priority']>>()(['urgent', 'high', 'normal', 'low']);
