// Fact sources backed by the disk (server and worker): model shapes from config.json and what
// uploaded files hold. Uploads never change once written, so their previews are cached by id.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { previewUploadFile, type UploadPreview } from '../data/upload-preview';
import { resolveInside } from '../io/safe-path';
import type { FactSources, ModelShape, UploadFacts } from './graph-facts';

/** Folders the sources read (a subset of the stages' RuntimeEnv). */
export interface FactDirs {
  bundledModelsDir: string;
  modelsDir: string;
  uploadsDir: string;
}

const UPLOAD_ID = /^f_[A-Za-z0-9]{4,40}$/;
const previews = new Map<string, { mtimeMs: number; preview: UploadPreview }>();
const PREVIEW_CACHE = 200;

/** The filename an upload was given, from its side-car `<id>.json`. */
export function uploadFilename(uploadsDir: string, fileId: string): string {
  const meta = `${resolveInside(uploadsDir, fileId)}.json`;
  try {
    return existsSync(meta) ? String(JSON.parse(readFileSync(meta, 'utf8')).filename ?? fileId) : fileId;
  } catch {
    return fileId;
  }
}

/** Preview of an upload (cached by id and modification time); throws when it cannot be read. */
export function previewUpload(uploadsDir: string, fileId: string, opts: { labelColumn?: string } = {}): UploadPreview {
  if (!UPLOAD_ID.test(fileId)) throw new Error(`"${fileId}" is not an upload id`);
  const path = resolveInside(uploadsDir, fileId);
  if (!existsSync(path)) throw new Error(`upload ${fileId} does not exist (deleted?)`);
  const filename = uploadFilename(uploadsDir, fileId);
  if (opts.labelColumn) return previewUploadFile(path, filename, opts);
  const mtimeMs = statSync(path).mtimeMs;
  const hit = previews.get(fileId);
  if (hit && hit.mtimeMs === mtimeMs) return hit.preview;
  const preview = previewUploadFile(path, filename);
  if (previews.size >= PREVIEW_CACHE) previews.delete(previews.keys().next().value!);
  previews.set(fileId, { mtimeMs, preview });
  return preview;
}

/** Shape from a Hugging Face config.json (BERT names). */
function shapeOf(dir: string): ModelShape | undefined {
  const file = join(dir, 'config.json');
  if (!existsSync(file)) return undefined;
  try {
    const c = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof c.num_hidden_layers !== 'number' || typeof c.hidden_size !== 'number') return undefined;
    return { layers: c.num_hidden_layers, hidden: c.hidden_size, maxPositions: c.max_position_embeddings ?? 512 };
  } catch {
    return undefined;
  }
}

/** Sources reading the given folders; `allowUpload` may refuse ids of another workspace. */
export function diskFactSources(dirs: FactDirs, allowUpload: (fileId: string) => boolean = () => true): FactSources {
  return {
    modelShape: ({ source, modelId, folderPath }) => {
      try {
        if (source === 'bundled') return /^[A-Za-z0-9._-]+$/.test(modelId) ? shapeOf(join(dirs.bundledModelsDir, modelId)) : undefined;
        return folderPath ? shapeOf(resolveInside(dirs.modelsDir, folderPath)) : undefined;
      } catch {
        return undefined;
      }
    },
    upload: (fileId): UploadFacts | { error: string } | undefined => {
      if (!fileId) return undefined;
      if (!allowUpload(fileId)) return { error: `no upload "${fileId}" in this workspace` };
      try {
        const p = previewUpload(dirs.uploadsDir, fileId);
        const distinct = Object.fromEntries(Object.entries(p.distinct).filter(([, v]) => v !== null)) as Record<string, number>;
        return { filename: p.filename, kind: p.kind, columns: p.columns, rows: p.rows, distinct };
      } catch (err) {
        return { error: (err as Error).message };
      }
    },
  };
}
