/**
 * The benchmarks' webhook receivers listen on loopback, which the outbound guard refuses
 * unless allowlisted: imported first, before any module reads OUTBOUND_ALLOW_HOSTS.
 */
process.env.OUTBOUND_ALLOW_HOSTS ??= '127.0.0.1,localhost';
