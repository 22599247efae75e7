import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Error messages and stack traces go into the failure's encoded attributes, so the payload
 * codec encrypts them too: a provider's error can name a URL with a token in it. Loaded by
 * path into the workflow sandbox as well (`failureConverterPath`), so it imports only the SDK.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
