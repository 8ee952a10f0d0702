import { Badge, Button, CopyButton, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { t } from '../../i18n/t';

/** A secret the CRM shows once (a client secret, a webhook signing secret): the person copies it now. */
export function SecretOnceModal({
  secret,
  onClose,
}: {
  secret: { clientId?: string; secret: string; label: 'clientSecret' | 'webhookSecret' } | null;
  onClose: () => void;
}) {
  return (
    <Modal opened={secret !== null} onClose={onClose} title={t('partners.secret.title')} closeOnClickOutside={false}>
      {secret && (
        <Stack>
          <Text size="sm">{t('partners.secret.body')}</Text>
          {secret.clientId && <TextInput label={t('partners.secret.clientId')} value={secret.clientId} readOnly />}
          <TextInput label={t(`partners.secret.${secret.label}`)} value={secret.secret} readOnly />
          <Group justify="space-between">
            <CopyButton value={secret.secret}>
              {({ copied, copy }) => (
                <Button variant="light" onClick={copy}>
                  {copied ? t('partners.secret.copied') : t('partners.secret.copy')}
                </Button>
              )}
            </CopyButton>
            <Button onClick={onClose}>{t('partners.secret.done')}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

// Filled badges in shades whose white text passes WCAG AA (4.5:1) at badge size.
const STATUS_COLOURS: Record<string, string> = {
  pending: 'indigo.9',
  offered: 'blue.9',
  approved: 'teal.9',
  accepted: 'teal.9',
  delivered: 'teal.9',
  won: 'teal.9',
  rejected: 'red.9',
  declined: 'gray.7',
  failed: 'red.9',
  dead: 'dark.6',
  lost: 'red.9',
  expired: 'gray.7',
  dropped: 'gray.7',
};

/** A status as a filled badge (dark shades: AA contrast with white text). */
export function StatusBadge({ status, label }: { status: string; label: string }) {
  return (
    <Badge color={STATUS_COLOURS[status] ?? 'gray.7'} variant="filled">
      {label}
    </Badge>
  );
}

export const notifySaved = (message: string) => notifications.show({ message, color: 'teal.9' });
