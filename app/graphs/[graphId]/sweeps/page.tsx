'use client';
// The graph's sweeps (/graphs/<graphId>/sweeps).
import { use } from 'react';
import { SweepList } from '../../../_teams/sweep-table';

export default function SweepsPage({ params }: { params: Promise<{ graphId: string }> }) {
  const { graphId } = use(params);
  return <SweepList graphId={graphId} />;
}
