import { SimpleGrid, Card, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { usePrincipal } from '../auth/use-session';
import { t } from '../i18n/t';
import type { Area } from '../layout/area';

export function HomePage({ areas }: { areas: Area[] }) {
  const principal = usePrincipal();
  const name = principal.kind === 'staff' ? principal.subject : (principal.userId ?? principal.subject);
  return (
    <>
      <Title order={1}>{t('home.title', { name })}</Title>
      <Text c="dimmed" mt="xs" mb="lg">
        {t('home.intro')}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {areas
          .filter((a) => a.visible(principal))
          .map((a) => (
            <Card key={a.key} withBorder component={Link} to={a.path} padding="lg">
              <a.icon size={28} />
              <Text fw={600} mt="sm">
                {t(a.label)}
              </Text>
            </Card>
          ))}
      </SimpleGrid>
    </>
  );
}
