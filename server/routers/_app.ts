// The whole API: one router per resource, merged here.
import { router } from '../trpc';
import { computeRouter } from './compute';
import { accountRouter } from './account';
import { graphsRouter } from './graphs';
import { modelsRouter } from './models';
import { resultsRouter } from './results';
import { runsRouter } from './runs';
import { uploadsRouter } from './uploads';
import { sharesRouter } from './shares';
import { sweepsRouter } from './sweeps';
import { workspacesRouter } from './workspaces';
import { compareRouter } from './compare';
import { rerunsRouter } from './reruns';

export const appRouter = router({
  graphs: graphsRouter,
  runs: runsRouter,
  models: modelsRouter,
  results: resultsRouter,
  compute: computeRouter,
  uploads: uploadsRouter,
  account: accountRouter,
  workspaces: workspacesRouter,
  shares: sharesRouter,
  reruns: rerunsRouter,
  compare: compareRouter,
  sweeps: sweepsRouter,
});

/** The API's type, imported by the browser's tRPC client. */
export type AppRouter = typeof appRouter;
