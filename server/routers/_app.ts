// The whole API: one router per resource, merged here.
import { router } from '../trpc';
import { computeRouter } from './compute';
import { graphsRouter } from './graphs';
import { modelsRouter } from './models';
import { resultsRouter } from './results';
import { runsRouter } from './runs';
import { uploadsRouter } from './uploads';

export const appRouter = router({
  graphs: graphsRouter,
  runs: runsRouter,
  models: modelsRouter,
  results: resultsRouter,
  compute: computeRouter,
  uploads: uploadsRouter,
});

/** The API's type, imported by the browser's tRPC client. */
export type AppRouter = typeof appRouter;
