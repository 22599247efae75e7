import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker state changes and bundle sizes at INFO drown test output; warnings still show.
Runtime.install({ logger: new DefaultLogger('WARN') });
