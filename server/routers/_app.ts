// The whole API: one router per resource, merged here.
import { router } from '../trpc';
import { graphsRouter } from './graphs';

export const appRouter = router({
  graphs: graphsRouter,
});

/** The API's type, imported by the browser's tRPC client. */
export type AppRouter = typeof appRouter;
