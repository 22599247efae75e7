import { Alert, Anchor, Button, Center, Code, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, post } from '../api/client';
import type { Session } from '../api/types';
import { SESSION_KEY } from '../session';

/**
 * The token typed here goes once to POST /v1/sessions and is dropped: the session lives in
 * an HttpOnly cookie the page cannot read, and nothing is written to browser storage.
 */
export function SignIn() {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { app_id: '', app_token: '' },
    validate: { app_id: (v) => (v.trim() ? null : 'Enter the application id'), app_token: (v) => (v ? null : 'Enter the token') },
  });
  const signIn = useMutation({
    mutationFn: (values: { app_id: string; app_token: string }) => post<Session>('/v1/sessions', values),
    onSuccess: (session) => {
      form.reset();
      queryClient.setQueryData(SESSION_KEY, session);
    },
  });
  const error = signIn.error;
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={440} component="main">
        <form onSubmit={form.onSubmit((v) => signIn.mutate(v))} noValidate>
          <Stack>
            <Title order={1} size="h2">
              Distribution Manager
            </Title>
            <Text c="dimmed">Sign in with an application key of this service.</Text>
            {error && (
              <Alert color="red" title="Sign-in failed" role="alert">
                {error instanceof ApiError && error.status === 401 ? 'That application id and token do not match a key.' : error.message}
              </Alert>
            )}
            <TextInput label="Application id" autoComplete="username" {...form.getInputProps('app_id')} />
            <PasswordInput label="Application token" autoComplete="current-password" {...form.getInputProps('app_token')} />
            <Button type="submit" loading={signIn.isPending}>
              Sign in
            </Button>
            <Text size="sm" c="dimmed">
              No key yet? On the server, run <Code>npm run app-key -- create "my name"</Code>: it prints the id and the token once. Or start the
              service with <Code>APP_ID</Code> and <Code>APP_TOKEN</Code> set. The <Anchor href="/docs">API reference</Anchor> lists every route.
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
