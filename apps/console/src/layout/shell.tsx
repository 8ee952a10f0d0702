import { Suspense } from 'react';
import { ActionIcon, AppShell, Burger, Center, Group, Loader, Menu, NavLink, ScrollArea, Text, Title, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconHome, IconLogout, IconUserCircle } from '@tabler/icons-react';
import { Link, Outlet, useLocation } from 'react-router';
import { usePrincipal } from '../auth/use-session';
import { session } from '../auth/session-store';
import { t } from '../i18n/t';
import type { Area } from './area';
import { CustomerSearch } from './customer-search';

/** The frame of every signed-in page: header (search, account), navigation by what the person may use, the page. */
export function Shell({ areas }: { areas: Area[] }) {
  const [opened, { toggle, close }] = useDisclosure();
  const principal = usePrincipal();
  const { pathname } = useLocation();
  const visible = areas.filter((a) => a.visible(principal));
  const who =
    principal.kind === 'staff'
      ? t('user.staff', { subject: principal.subject, department: principal.department })
      : t('user.partner', { subject: principal.userId ?? principal.subject, partnerId: principal.partnerId });
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.toggle')} />
            <Title order={2} size="h4" visibleFrom="xs">
              <UnstyledButton component={Link} to="/">
                {t('appName')}
              </UnstyledButton>
            </Title>
          </Group>
          {principal.kind === 'staff' && <CustomerSearch />}
          <Menu position="bottom-end">
            <Menu.Target>
              <ActionIcon variant="subtle" size="lg" aria-label={t('user.menu')}>
                <IconUserCircle />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>{who}</Menu.Label>
              <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => session.signOut()}>
                {t('user.signOut')}
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('nav.label')} component="nav">
        <ScrollArea>
          <NavLink
            variant="filled"
            component={Link}
            to="/"
            label={t('nav.home')}
            leftSection={<IconHome size={18} />}
            active={pathname === '/'}
            onClick={close}
          />
          {visible.map((a) => {
            const inArea = pathname === a.path || pathname.startsWith(`${a.path}/`);
            const links = (a.links ?? []).filter((l) => !l.visible || l.visible(principal));
            return links.length ? (
              <NavLink
                key={a.key}
                label={t(a.label)}
                leftSection={<a.icon size={18} />}
                defaultOpened={inArea}
                active={inArea && !links.some((l) => l.path === pathname)}
              >
                {links.map((l) => (
                  <NavLink variant="filled" key={l.path} component={Link} to={l.path} label={t(l.label)} active={pathname === l.path} onClick={close} />
                ))}
              </NavLink>
            ) : (
              <NavLink
                variant="filled"
                key={a.key}
                component={Link}
                to={a.path}
                label={t(a.label)}
                leftSection={<a.icon size={18} />}
                active={inArea}
                onClick={close}
              />
            );
          })}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        {/* A page's own chunk is fetched the first time it is shown (lazyPage). */}
        <Suspense
          fallback={
            <Center p="xl">
              <Loader role="status" aria-label={t('loading')} />
            </Center>
          }
        >
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}

export function NotFoundPage() {
  return (
    <>
      <Title order={1}>{t('notFound')}</Title>
      <Text mt="sm">{t('notFoundBody')}</Text>
      <Text mt="sm" component={Link} to="/" c="blue">
        {t('backHome')}
      </Text>
    </>
  );
}
