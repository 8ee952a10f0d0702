import { Anchor, Badge, Card, Group, SimpleGrid, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { $sales, type SalesSchema } from '../../api/clients';
import { formatDate, formatDateTime, t } from '../../i18n/t';
import { label } from './labels';

/** The record as `GET /customers/{id}` answers it (now, or with `asOf` as it stood then). */
export type Profile = Omit<SalesSchema<'CustomerDto'>, 'owner' | 'parentId'> & {
  owner?: string | null;
  parentId?: string | null;
  revision?: string;
  asOf?: string;
};

function Field({ name, children }: { name: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="sm" fw={600} component="dt">
        {name}
      </Text>
      <Text component="dd" m={0}>
        {children}
      </Text>
    </div>
  );
}

function ParentName({ parentId }: { parentId: string }) {
  const parent = $sales.useQuery('get', '/customers/{id}', { params: { path: { id: parentId } } });
  return (
    <Anchor component={Link} to={`/customers/${parentId}`}>
      {parent.data?.name ?? parentId}
    </Anchor>
  );
}

export function ProfileCard({ customer: c, asOf }: { customer: Profile; asOf: string | null }) {
  return (
    <Card withBorder component="section" aria-labelledby="customer-profile">
      <Title order={2} size="h4" id="customer-profile">
        {t('customers.page.profile')}
      </Title>
      {asOf && (
        <Text size="sm" fw={600} mt={4} role="status">
          {t('customers.page.asOfNote', { date: formatDateTime(asOf) })}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2 }} mt="sm" component="dl" spacing="sm">
        <Field name={t('customers.page.kind')}>{label('kinds', c.kind)}</Field>
        <Field name={t('customers.page.journeyStage')}>{label('journey', c.journeyStage)}</Field>
        <Field name={t('customers.page.relationshipPhase')}>{label('phases', c.relationshipPhase)}</Field>
        <Field name={t('customers.page.owner')}>{c.owner || t('customers.page.noOwner')}</Field>
        <Field name={t('customers.page.parent')}>{c.parentId ? <ParentName parentId={c.parentId} /> : t('customers.page.noParent')}</Field>
        {c.registeredAt && <Field name={t('customers.page.registered')}>{formatDate(c.registeredAt)}</Field>}
        <Field name={t('customers.page.tags')}>
          {c.tags.length ? (
            <Group gap={4} component="span">
              {c.tags.map((tag) => (
                <Badge key={tag} variant="light" color="gray" c="dark.7" component="span">
                  {tag}
                </Badge>
              ))}
            </Group>
          ) : (
            t('customers.page.noTags')
          )}
        </Field>
      </SimpleGrid>
    </Card>
  );
}
