'use client';
// The link that downloads an Export node's zip (the trained model), with its size.
import { formatBytes } from '../_lib/format';

export interface ExportZipView {
  nodeId: string;
  name: string;
  bytes: number | null;
  url: string;
}

export function ExportDownload({ zip, compact }: { zip: ExportZipView; compact?: boolean }) {
  if (zip.bytes === null) return null;
  return (
    <a
      href={zip.url}
      download={`${zip.name}.zip`}
      data-testid={`download-${zip.nodeId}`}
      data-bytes={zip.bytes}
      onClick={(e) => e.stopPropagation()}
      className={`nodrag inline-flex items-center gap-1.5 rounded-md border border-emerald-300 bg-emerald-50 font-medium text-emerald-800 hover:bg-emerald-100 ${compact ? 'px-2 py-0.5 text-[11px]' : 'px-2.5 py-1 text-xs'}`}
      title="The trained model as a zip: Hugging Face folder, adapters, tokenizer"
    >
      {/* On a card the name is already in its params; a shorter label keeps button and size on one line. */}
      <span className="whitespace-nowrap">⬇ Download {compact ? 'zip' : `${zip.name}.zip`}</span> <span className="whitespace-nowrap font-normal text-emerald-700">({formatBytes(zip.bytes)})</span>
    </a>
  );
}
