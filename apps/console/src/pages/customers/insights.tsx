import { Badge, Card, Group, List, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { $analytics, $marketing, $partner } from '../../api/clients';
import { label } from './labels';
import { formatDate, formatMoney, formatPercent, t } from '../../i18n/t';
import { errorText, NOT_YET_STATUSES, notYet, QueryState } from '../../ui/query-state';

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <Card withBorder component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id} mb="xs">
        {title}
      </Title>
      {children}
    </Card>
  );
}

function Stat({ name, children }: { name: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="sm" fw={600}>
        {name}
      </Text>
      <Text>{children}</Text>
    </div>
  );
}

/**
 * A value the CRM cannot compute yet (no model trained, too little history: 409, 422, 503) is a state
 * of the data, not a failure: said in plain text; anything else is the usual error.
 */
function Analysed<T>({
  query,
  children,
}: {
  query: { isPending: boolean; error: unknown; data?: T; refetch: () => unknown };
  children: (data: T) => React.ReactNode;
}) {
  // In a small card the reason is plain text, not QueryState's notice; 503 (analytics still fitting) too.
  if (query.error && notYet(query.error, [...NOT_YET_STATUSES, 503])) return <Text>{errorText(query.error)}</Text>;
  return <QueryState query={query}>{children}</QueryState>;
}

const TIERS = ['platinum', 'gold', 'silver', 'bronze'] as const;

/** Value from analytics: CLV and tier, RFM scores, churn risk with its reasons (each its own read: a department analytics refuses sees why). */
export function ValueCard({ customerId, asOf }: { customerId: string; asOf: string | null }) {
  // Value, RFM and churn risk follow the as-of slider: analytics values any day from the purchases
  // dated up to it, and scores churn on the customer's history up to it with the current model.
  const then = { params: { path: { id: customerId }, query: asOf ? { asOf } : {} } };
  const value = $analytics.useQuery('get', '/customers/{id}/value', then);
  const rfm = $analytics.useQuery('get', '/customers/{id}/rfm', then);
  const churn = $analytics.useQuery('get', '/customers/{id}/churn-risk', then);
  return (
    <Section id="customer-value" title={t('customers.value.title')}>
      <Stack gap="sm">
        {asOf && <AsOfNote text={t('customers.asOf.valueThen')} />}
        <Analysed query={value}>
          {(v) =>
            v.clv === null || v.clv === undefined ? (
              <Text>{t('customers.value.noPurchases')}</Text>
            ) : (
              <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
                <Stat name={t('customers.value.clv', { months: v.horizonMonths ?? 12 })}>{formatMoney(Math.round(v.clv), v.reportingCurrency ?? 'EUR')}</Stat>
                <Stat name={t('customers.value.tier')}>{v.tier && TIERS.includes(v.tier) ? t(`customers.value.tiers.${v.tier}`) : '—'}</Stat>
                {v.rank != null && <Stat name={t('customers.value.rank')}>{t('customers.value.rankOf', { rank: v.rank, total: v.rankedCustomers ?? 0 })}</Stat>}
                {v.pAlive != null && <Stat name={t('customers.value.pAlive')}>{formatPercent(v.pAlive)}</Stat>}
              </SimpleGrid>
            )
          }
        </Analysed>
        <Analysed query={rfm}>
          {(r) =>
            r.rfm ? (
              <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
                <Stat name={t('customers.value.rfm')}>{t('customers.value.rfmScores', { r: r.rfm.scores.r, f: r.rfm.scores.f, m: r.rfm.scores.m })}</Stat>
                <Stat name={t('customers.value.segment')}>{r.rfm.segment}</Stat>
              </SimpleGrid>
            ) : (
              <Text>{t('customers.value.noRfm')}</Text>
            )
          }
        </Analysed>
        <Analysed query={churn}>
          {(c) =>
            c.probability == null ? (
              <Text>{t('customers.value.noChurn')}</Text>
            ) : (
              <div>
                <Stat name={t('customers.value.churn', { days: c.horizonDays ?? 0 })}>{formatPercent(c.probability)}</Stat>
                {(c.reasons ?? []).length > 0 && (
                  <>
                    <Text size="sm" fw={600} mt="xs">
                      {t('customers.value.reasons')}
                    </Text>
                    <List size="sm">
                      {(c.reasons ?? []).map((r) => (
                        <List.Item key={r.feature}>{r.label ?? r.feature}</List.Item>
                      ))}
                    </List>
                  </>
                )}
              </div>
            )
          }
        </Analysed>
      </Stack>
    </Section>
  );
}

/** Said on a card while the as-of slider shows a past moment: what the card shows then. */
function AsOfNote({ text }: { text: string }) {
  return (
    <Text size="xs" c="dimmed" mb="xs">
      {text}
    </Text>
  );
}

/** Consent from marketing: what the customer permitted, per channel and purpose, and channel opt-outs. */
export function ConsentCard({ customerId, asOf }: { customerId: string; asOf: string | null }) {
  // Marketing keeps consent's history: with the as-of slider moved, the consent as it stood then.
  const consent = $marketing.useQuery('get', '/customers/{id}/consent', { params: { path: { id: customerId }, query: asOf ? { asOf } : {} } });
  return (
    <Section id="customer-consent" title={t('customers.consent.title')}>
      {asOf && <AsOfNote text={t('customers.asOf.consentThen')} />}
      <QueryState query={consent}>
        {(c) =>
          c.permissions.length === 0 && c.channelOptOuts.length === 0 ? (
            <Text>{t('customers.consent.none')}</Text>
          ) : (
            <Stack gap="xs">
              {c.permissions.length > 0 && (
                <Table.ScrollContainer minWidth={360} type="native" tabIndex={0} role="region" aria-label={t('customers.consent.caption')}>
                  <Table>
                    <Table.Caption>{t('customers.consent.caption')}</Table.Caption>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('customers.consent.channel')}</Table.Th>
                        <Table.Th>{t('customers.consent.purpose')}</Table.Th>
                        <Table.Th>{t('customers.consent.status')}</Table.Th>
                        <Table.Th>{t('customers.consent.since')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {c.permissions.map((p) => (
                        <Table.Tr key={`${p.channel}:${p.purpose}`}>
                          <Table.Td>{t(`customers.channels.${p.channel}`)}</Table.Td>
                          <Table.Td>{p.purpose}</Table.Td>
                          <Table.Td>
                            <Badge color={p.status === 'granted' ? 'green' : 'red'} variant="light" c="dark.7">
                              {t(`customers.consent.${p.status}`)}
                            </Badge>
                          </Table.Td>
                          <Table.Td>{formatDate(p.since)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
              {c.channelOptOuts.map((o) => (
                <Text key={o.channel}>{t('customers.consent.optOut', { channel: t(`customers.channels.${o.channel}`), date: formatDate(o.at) })}</Text>
              ))}
            </Stack>
          )
        }
      </QueryState>
    </Section>
  );
}

/** Which partners see this customer now, and what each sees (the partner portal's staff read of a customer's shares). */
export function SharesCard({ customerId, asOf }: { customerId: string; asOf: string | null }) {
  // The portal folds each partner's history: with the as-of slider moved, who could see the customer then.
  const shares = $partner.useQuery('get', '/customer-shares/{customerId}', { params: { path: { customerId }, query: asOf ? { asOf } : {} } });
  return (
    <Section id="customer-shares" title={t('customers.shares.title')}>
      {asOf && <AsOfNote text={t('customers.asOf.sharesThen')} />}
      <QueryState query={shares}>
        {(s) =>
          s.partners.length === 0 ? (
            <Text>{t('customers.shares.none')}</Text>
          ) : (
            <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
              {s.partners.map((p) => (
                <li key={p.partnerId}>
                  <Group gap="xs" wrap="wrap">
                    <Text fw={600}>{p.name}</Text>
                    <Badge variant="light" color="gray" c="dark.7">
                      {p.access}
                    </Badge>
                  </Group>
                  <Text size="sm">
                    {t('customers.shares.scope')}:{' '}
                    {p.episodeTypes ? p.episodeTypes.map((e) => label('episodeTypes', e)).join(', ') : t('customers.shares.everything')}
                    {' · '}
                    {t('customers.shares.since', { date: formatDate(p.sharedAt) })}
                    {p.expiresAt ? ` · ${t('customers.shares.expires', { date: formatDate(p.expiresAt) })}` : ''}
                  </Text>
                </li>
              ))}
            </Stack>
          )
        }
      </QueryState>
    </Section>
  );
}
