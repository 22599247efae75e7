import { Button, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

export function NotFound() {
  return (
    <Stack align="flex-start">
      <Title order={2}>Page not found</Title>
      <Text>There is no screen at this address.</Text>
      <Button component={Link} to="/distributions">
        Go to distributions
      </Button>
    </Stack>
  );
}
