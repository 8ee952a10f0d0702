import { useEffect, useState } from 'react';
import { Alert, Button, Center, Checkbox, Group, Loader, Paper, PasswordInput, Select, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useNavigate } from 'react-router';
import { t } from '../i18n/t';
import { consoleSettings, type ConsoleSettings } from './console-settings';
import { oidcManager } from './oidc';
import { session } from './session-store';

async function problemText(r: Response): Promise<string> {
  try {
    const p = (await r.json()) as { detail?: string; title?: string; error_description?: string; errors?: { field: string; message: string }[] };
    const fields = p.errors?.map((e) => t('problem.field', { field: e.field, message: e.message })).join('; ');
    return [p.detail ?? p.error_description ?? p.title, fields].filter(Boolean).join(' — ') || t('problem.status', { status: r.status });
  } catch {
    return t('problem.status', { status: r.status });
  }
}

function LocalSignIn({ options }: { options: NonNullable<ConsoleSettings['localSignIn']> }) {
  const [department, setDepartment] = useState<string | null>('sales');
  const [subject, setSubject] = useState('sari.sales');
  const [roles, setRoles] = useState<string[]>(['agent']);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(undefined);
        fetch('/console/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ department, subject, roles }) })
          .then(async (r) => {
            if (!r.ok) throw new Error(await problemText(r));
            const { access_token } = (await r.json()) as { access_token: string };
            // The page asked for is still in the address bar: the shell shows it now.
            session.signIn(access_token, 'local');
          })
          .catch((e: Error) => setError(e.message))
          .finally(() => setBusy(false));
      }}
    >
      <Stack>
        <Text size="sm" c="dimmed">
          {t('signIn.local')}
        </Text>
        <Select
          label={t('signIn.department')}
          data={options.departments.map((d) => ({ value: d, label: t(`departments.${d}` as 'departments.sales') }))}
          value={department}
          onChange={setDepartment}
          allowDeselect={false}
          required
        />
        <TextInput
          label={t('signIn.subject')}
          description={t('signIn.subjectHint')}
          value={subject}
          onChange={(e) => setSubject(e.currentTarget.value)}
          required
        />
        <Checkbox.Group label={t('signIn.roles')} value={roles} onChange={setRoles}>
          <Group mt="xs" gap="sm">
            {options.roles.map((r) => (
              <Checkbox key={r} value={r} label={r} />
            ))}
          </Group>
        </Checkbox.Group>
        {error && (
          <Alert color="red" title={t('signIn.failed')} role="alert">
            {error}
          </Alert>
        )}
        <Button type="submit" loading={busy}>
          {t('signIn.submit')}
        </Button>
      </Stack>
    </form>
  );
}

function PartnerSignIn() {
  const [clientId, setClientId] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(undefined);
        fetch('/api/partner-portal/auth/token', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
        })
          .then(async (r) => {
            if (!r.ok) throw new Error(await problemText(r));
            const { access_token } = (await r.json()) as { access_token: string };
            session.signIn(access_token, 'partner');
          })
          .catch((e: Error) => setError(e.message))
          .finally(() => setBusy(false));
      }}
    >
      <Stack>
        <Text size="sm" c="dimmed">
          {t('signIn.partnerHint')}
        </Text>
        <TextInput label={t('signIn.clientId')} value={clientId} onChange={(e) => setClientId(e.currentTarget.value)} required autoComplete="username" />
        <PasswordInput
          label={t('signIn.clientSecret')}
          value={secret}
          onChange={(e) => setSecret(e.currentTarget.value)}
          required
          autoComplete="current-password"
        />
        {error && (
          <Alert color="red" title={t('signIn.failed')} role="alert">
            {error}
          </Alert>
        )}
        <Button type="submit" loading={busy}>
          {t('signIn.submit')}
        </Button>
      </Stack>
    </form>
  );
}

export function SignInPage() {
  const [settings, setSettings] = useState<ConsoleSettings>();
  const [expired] = useState(() => session.takeExpiredNotice());
  useEffect(() => {
    void consoleSettings().then(setSettings);
  }, []);
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="lg" w="100%" maw={460}>
        <Title order={1} size="h2" mb="md">
          {t('appName')} · {t('signIn.title')}
        </Title>
        {expired && (
          <Alert color="yellow" mb="md" role="status">
            {t('signedOut')}
          </Alert>
        )}
        {!settings ? (
          <Loader role="status" aria-label={t('loading')} />
        ) : (
          <Tabs defaultValue="staff">
            <Tabs.List mb="md">
              <Tabs.Tab value="staff">{t('signIn.staffTab')}</Tabs.Tab>
              <Tabs.Tab value="partner">{t('signIn.partnerTab')}</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="staff">
              <Stack>
                {settings.oidc && (
                  <Button
                    variant="filled"
                    onClick={() => void oidcManager(settings.oidc!).signinRedirect({ state: window.location.pathname + window.location.search })}
                  >
                    {t('signIn.oidc')}
                  </Button>
                )}
                {settings.localSignIn && <LocalSignIn options={settings.localSignIn} />}
                {!settings.oidc && !settings.localSignIn && <Alert color="gray">{t('signIn.noMethod')}</Alert>}
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="partner">
              <PartnerSignIn />
            </Tabs.Panel>
          </Tabs>
        )}
      </Paper>
    </Center>
  );
}

/** The identity provider's redirect back: exchange the code (PKCE) for tokens, then start. */
export function OidcCallbackPage() {
  const navigate = useNavigate();
  const [error, setError] = useState<string>();
  useEffect(() => {
    void consoleSettings()
      .then((s) => oidcManager(s.oidc!).signinRedirectCallback())
      .then((user) => {
        session.signIn(user.access_token, 'oidc');
        // Back to the page the person had asked for before the identity provider's sign-in.
        const back = typeof user.state === 'string' && user.state.startsWith('/') && !user.state.startsWith('//') ? user.state : '/';
        navigate(back, { replace: true });
      })
      .catch((e: Error) => setError(e.message));
  }, [navigate]);
  return (
    <Center mih="100vh" component="main">
      {error ? (
        <Alert color="red" title={t('signIn.failed')} role="alert">
          {error}
        </Alert>
      ) : (
        <Text>{t('signIn.oidcCallback')}</Text>
      )}
    </Center>
  );
}
