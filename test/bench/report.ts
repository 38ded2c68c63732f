// Shared output for bench parts: JSON to test/bench/results/<part>.json, markdown to the terminal.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

/** A markdown table from rows of cells. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Writes one bench part's results (with machine facts) and prints its markdown. */
export function writeBenchResult(part: string, data: Record<string, unknown>, markdown: string): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${part}.json`);
  const record = {
    part,
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    ...data,
  };
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
  process.stdout.write(`\n## Bench: ${part}\n\n${markdown}\n\n(JSON: ${file})\n`);
  return file;
}
