/**
 * Fake providers, webhook receivers and the service under test listen on loopback, which the
 * outbound guard refuses unless allowlisted (see README, OUTBOUND_ALLOW_HOSTS). Set before any
 * module reads it; a test of the guard itself switches it with `setOutboundAllowHosts`.
 */
process.env.OUTBOUND_ALLOW_HOSTS ??= '127.0.0.1,localhost,::1';
