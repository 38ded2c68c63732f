'use client';
// The browser's tRPC client: typed by the server's AppRouter, talking to /api/trpc.
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import superjson from 'superjson';
import type { AppRouter } from '../../server/routers/_app';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** A client for the current origin. Every call is a POST: queries such as runs.nodeState carry a
 * whole graph, which a GET URL cannot hold past ~29 nodes (HTTP 431). */
export function makeTrpcClient() {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: '/api/trpc', transformer: superjson, methodOverride: 'POST' })] });
}
