import { Client, Connection } from '@temporalio/client';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { DataConverter, SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Logger } from '../logger';
import { SEARCH_ATTRIBUTES } from '../../workflows/contracts/search-attributes';

const INDEXED_VALUE_TYPE: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** `dataConverter` is the payload codec's (src/codec): Temporal holds only ciphertext. */
export async function connectTemporalClient(
  address: string,
  namespace: string,
  dataConverter: DataConverter,
): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace, dataConverter });
}

/**
 * Registers the project's search attributes. The dev server registers them from its
 * flags only when it creates its database, and an external cluster not at all, so the
 * service makes sure at boot. Missing permission is a warning: an operator may manage them.
 */
export async function ensureSearchAttributes(client: Client, logger: Logger): Promise<void> {
  const namespace = client.options.namespace;
  const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.filter((key) => !(key.name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return;
  try {
    await client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
    });
    logger.info({ added: missing.map((k) => k.name) }, 'registered Temporal search attributes');
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === GrpcStatus.ALREADY_EXISTS) return;
    logger.warn(
      { err, missing: missing.map((k) => k.name) },
      'could not register Temporal search attributes; register them on the cluster',
    );
  }
}
