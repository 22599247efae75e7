import { AppShell, Badge, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { Suspense } from 'react';
import { useDisclosure } from '@mantine/hooks';
import { IconAddressBook, IconBroadcast, IconChecklist, IconMail, IconPlugConnected, IconTicket, IconUsersGroup } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router';
import { del } from '../api/client';
import { SESSION_KEY, useSession } from '../session';
import { Loading, showError } from './errors';

const NAV = [
  { to: '/distributions', label: 'Distributions', icon: IconBroadcast },
  { to: '/segments', label: 'Segments', icon: IconUsersGroup },
  { to: '/customers', label: 'Customers', icon: IconAddressBook },
  { to: '/campaigns', label: 'Campaigns', icon: IconTicket },
  { to: '/templates', label: 'Templates', icon: IconMail },
  { to: '/channels', label: 'Channel accounts', icon: IconPlugConnected },
  { to: '/consents', label: 'Consents', icon: IconChecklist },
];

export function Layout() {
  const [opened, { toggle, close }] = useDisclosure();
  const { session } = useSession();
  const location = useLocation();
  const queryClient = useQueryClient();
  const signOut = useMutation({
    mutationFn: () => del('/v1/sessions/current'),
    onSuccess: () => {
      queryClient.setQueryData(SESSION_KEY, null);
      // What the session could read stays out of the next one's screens.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    },
    onError: showError('Sign-out failed'),
  });
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={1} size="h4">
              Distribution Manager
            </Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" c="dimmed" visibleFrom="sm">
              Key <Text span ff="monospace">{session?.app_key.id}</Text>
            </Text>
            <Badge variant="light">{session?.app_key.role}</Badge>
            <Button variant="default" size="xs" onClick={() => signOut.mutate()} loading={signOut.isPending}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {NAV.map(({ to, label, icon: Icon }) => (
          <NavLink key={to} component={RouterLink} to={to} label={label} leftSection={<Icon size={18} aria-hidden />} active={location.pathname.startsWith(to)} onClick={close} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense
          fallback={<Loading />}
        >
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
