'use client';
// One sweep's results table (/graphs/<graphId>/sweeps/<sweepId>).
import { use } from 'react';
import { SweepTable } from '../../../../_teams/sweep-table';

export default function SweepPage({ params }: { params: Promise<{ graphId: string; sweepId: string }> }) {
  const { graphId, sweepId } = use(params);
  return <SweepTable graphId={graphId} sweepId={sweepId} />;
}
