import { Text } from '@mantine/core';
import { useEffect, useState } from 'react';

function remaining(until: string, now: number): string {
  const s = Math.max(0, Math.ceil((new Date(until).getTime() - now) / 1000));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

/** A live countdown to `send_at`, ticking in the browser (the server's send_at is the truth). */
export function Countdown({ until }: { until: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  return (
    <Text size="xl" fw={700} role="timer" aria-live="off" data-testid="countdown">
      Sends in {remaining(until, now)}
    </Text>
  );
}
