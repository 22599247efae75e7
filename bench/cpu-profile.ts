import inspector from 'node:inspector/promises';

/** The inspector's CPU profiler on this process, from now until `stop` (open the file in Chrome DevTools or speedscope). */
export async function startProfile(): Promise<{ stop(): Promise<object> }> {
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile;
    },
  };
}
