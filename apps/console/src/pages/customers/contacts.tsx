import { useState } from 'react';
import { Button, Card, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { must, sales, type SalesSchema } from '../../api/clients';
import { t } from '../../i18n/t';
import { ErrorAlert } from '../../ui/query-state';
import type { Profile } from './profile';
import { everyValue } from '../../api/enums';

/** The customer's contacts (organisations), and a form to add one. */
export function ContactsCard({ customer, readOnly }: { customer: Profile; readOnly: boolean }) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: '', role: '', email: '', phone: '' });
  const add = useMutation({
    mutationFn: async () =>
      must(
        await sales.POST('/customers/{id}/contacts', {
          params: { path: { id: customer.customerId } },
          body: { name: form.name, ...(form.role && { role: form.role }), ...(form.email && { email: form.email }), ...(form.phone && { phone: form.phone }) },
        }),
      ),
    onSuccess: async () => {
      setForm({ name: '', role: '', email: '', phone: '' });
      notifications.show({ message: t('customers.contacts.added'), color: 'green' });
      await queryClient.invalidateQueries({ queryKey: ['customer', customer.customerId] });
    },
  });
  return (
    <Card withBorder component="section" aria-labelledby="customer-contacts">
      <Title order={2} size="h4" id="customer-contacts">
        {t('customers.contacts.title')}
      </Title>
      {customer.contacts.length === 0 ? (
        <Text mt="xs">{t('customers.contacts.none')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={420} type="native" tabIndex={0} role="region" aria-label={t('customers.contacts.caption')} mt="xs">
          <Table>
            <Table.Caption>{t('customers.contacts.caption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('customers.contacts.name')}</Table.Th>
                <Table.Th>{t('customers.contacts.role')}</Table.Th>
                <Table.Th>{t('customers.contacts.email')}</Table.Th>
                <Table.Th>{t('customers.contacts.phone')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {customer.contacts.map((c) => (
                <Table.Tr key={c.contactId}>
                  <Table.Td>{c.name}</Table.Td>
                  <Table.Td>{[c.role, ...(c.roles ?? [])].filter(Boolean).join(', ')}</Table.Td>
                  <Table.Td>{c.email}</Table.Td>
                  <Table.Td>{c.phone}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {!readOnly && customer.kind === 'organisation' && (
        <Stack
          component="form"
          gap="xs"
          mt="md"
          aria-label={t('customers.contacts.add')}
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <Group grow wrap="wrap" align="flex-end">
            <TextInput
              label={t('customers.contacts.name')}
              required
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
              miw={160}
            />
            <TextInput label={t('customers.contacts.role')} value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value })} miw={160} />
          </Group>
          <Group grow wrap="wrap" align="flex-end">
            <TextInput
              label={t('customers.contacts.email')}
              type="email"
              value={form.email}
              onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
              miw={160}
            />
            <TextInput
              label={t('customers.contacts.phone')}
              type="tel"
              value={form.phone}
              onChange={(e) => setForm({ ...form, phone: e.currentTarget.value })}
              miw={160}
            />
          </Group>
          {add.error && <ErrorAlert error={add.error} />}
          <Button type="submit" loading={add.isPending} w="fit-content">
            {t('customers.contacts.add')}
          </Button>
        </Stack>
      )}
    </Card>
  );
}

const IDENTITY_KINDS = everyValue<SalesSchema<'IdentityDto'>['kind']>()(['email', 'phone', 'external-id']);

/** The customer's identities (e-mail, phone, external ids: one live customer each), and a form to add one. */
export function IdentitiesCard({ customer, readOnly }: { customer: Profile; readOnly: boolean }) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<(typeof IDENTITY_KINDS)[number]>('email');
  const [value, setValue] = useState('');
  const [system, setSystem] = useState('');
  const add = useMutation({
    mutationFn: async () =>
      must(
        await sales.POST('/customers/{id}/identities', {
          params: { path: { id: customer.customerId } },
          body: { kind, value, ...(kind === 'external-id' && system && { system }) },
        }),
      ),
    onSuccess: async () => {
      setValue('');
      notifications.show({ message: t('customers.identities.added'), color: 'green' });
      await queryClient.invalidateQueries({ queryKey: ['customer', customer.customerId] });
    },
  });
  const kindText = (k: string) => t(`customers.identities.kinds.${k as (typeof IDENTITY_KINDS)[number]}`);
  return (
    <Card withBorder component="section" aria-labelledby="customer-identities">
      <Title order={2} size="h4" id="customer-identities">
        {t('customers.identities.title')}
      </Title>
      {customer.identities.length === 0 ? (
        <Text mt="xs">{t('customers.identities.none')}</Text>
      ) : (
        <Stack gap={2} mt="xs" component="ul" style={{ listStyle: 'none', padding: 0 }}>
          {customer.identities.map((i) => (
            <Text component="li" key={`${i.kind}:${i.system ?? ''}:${i.value}`}>
              {kindText(i.kind)}: {i.value}
              {i.system ? ` (${i.system})` : ''}
            </Text>
          ))}
        </Stack>
      )}
      {!readOnly && (
        <Group
          component="form"
          mt="md"
          gap="xs"
          align="flex-end"
          wrap="wrap"
          aria-label={t('customers.identities.add')}
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <Select
            label={t('customers.identities.kind')}
            data={IDENTITY_KINDS.map((k) => ({ value: k, label: kindText(k) }))}
            value={kind}
            onChange={(v) => v && setKind(v as typeof kind)}
            allowDeselect={false}
            w={140}
          />
          <TextInput
            label={t('customers.identities.value')}
            required
            value={value}
            onChange={(e) => setValue(e.currentTarget.value)}
            miw={180}
            style={{ flex: 1 }}
          />
          {kind === 'external-id' && (
            <TextInput label={t('customers.identities.system')} value={system} onChange={(e) => setSystem(e.currentTarget.value)} w={140} />
          )}
          <Button type="submit" loading={add.isPending}>
            {t('customers.identities.add')}
          </Button>
          {add.error && <ErrorAlert error={add.error} />}
        </Group>
      )}
    </Card>
  );
}
