import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';

/**
 * What every Temporal client and worker of the service is built with: payloads, and the
 * failure texts the failure converter moves into payloads, encrypted under `key`. The failure
 * converter goes by path because workflows load it inside their sandbox.
 */
export function encryptingDataConverter(key: Buffer): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(key)], failureConverterPath: require.resolve('./failure-converter') };
}
