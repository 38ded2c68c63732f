// Hub downloads against a loopback mirror in the Hub's URL layout: the standard cache layout,
// resume after a dropped connection, checksums, sharded weights, gated repos, offline mode.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import { pretrainedLoad } from '../../../graph-nodes/pretrained-load';
import { hubEnvFrom, type HubEnv } from '../../../runtime/io/hub/hub-env';
import { cachedHubCommits, resolveHubCommits } from '../../../runtime/io/hub/hub-revision';
import { pretrainedLoadStage } from '../../../runtime/stages/model-stages';
import { StageError } from '../../../runtime/stages/stage-error';
import { snapshotFromHub, type SnapshotProgress } from '../../../runtime/io/hub/hub-snapshot';
import { loadModelFolder } from '../../../runtime/io/model-folder';
import { readSafetensorsFile, writeSafetensors } from '../../../runtime/io/safetensors';
import { startHubMirror, type MirrorRepo } from '../../helpers/hub-mirror';

const fixture = fileURLToPath(new URL('../../fixtures/tiny-bert/', import.meta.url));
const read = (name: string) => new Uint8Array(readFileSync(join(fixture, name)));
const COMMIT = 'a'.repeat(39) + '1';
const SHARDED_COMMIT = 'b'.repeat(39) + '2';
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function shardedFiles(): Record<string, Uint8Array> {
  const file = readSafetensorsFile(join(fixture, 'model.safetensors'));
  const names = [...file.tensors.keys()];
  const groups = [names.slice(0, 10), names.slice(10)];
  const out: Record<string, Uint8Array> = { 'config.json': read('config.json'), 'vocab.txt': read('vocab.txt') };
  const weightMap: Record<string, string> = {};
  groups.forEach((g, i) => {
    const shard = `model-0000${i + 1}-of-00002.safetensors`;
    out[shard] = writeSafetensors(Object.fromEntries(g.map((n) => [n, { shape: file.tensors.get(n)!.shape, data: file.tensors.get(n)!.data as Float32Array }])));
    for (const n of g) weightMap[n] = shard;
  });
  out['model.safetensors.index.json'] = new TextEncoder().encode(JSON.stringify({ metadata: {}, weight_map: weightMap }));
  return out;
}

describe('models from the Hugging Face Hub (loopback mirror)', () => {
  let mirror: Awaited<ReturnType<typeof startHubMirror>>;
  const repos: Record<string, MirrorRepo> = {};
  const env = (over: Record<string, string> = {}): HubEnv => hubEnvFrom({ HF_HOME: mkdtempSync(join(tmpdir(), 'hf-home-')), HF_ENDPOINT: mirror.url, ...over });

  beforeAll(async () => {
    await initBackend('wasm');
    repos['google/tiny-bert'] = { commit: COMMIT, files: { 'config.json': read('config.json'), 'vocab.txt': read('vocab.txt'), 'model.safetensors': read('model.safetensors') } };
    repos['org/sharded-bert'] = { commit: SHARDED_COMMIT, files: shardedFiles() };
    repos['org/gated-bert'] = { ...repos['google/tiny-bert'], token: 'hf_secret' };
    const bin = (name: string) => new Uint8Array(readFileSync(join(fixture, '..', 'tiny-bert-bin', name)));
    repos['google/bin-only-bert'] = { commit: 'd'.repeat(40), files: { 'config.json': bin('config.json'), 'vocab.txt': bin('vocab.txt'), 'pytorch_model.bin': bin('pytorch_model.bin') } };
    mirror = await startHubMirror(repos);
  });
  afterAll(() => mirror.close());

  it('downloads config, tokenizer and weights into models--org--name/{blobs,snapshots/<commit>,refs/main}, with progress', async () => {
    const e = env();
    const progress: SnapshotProgress[] = [];
    const snap = await snapshotFromHub(e, 'google/tiny-bert', 'main', { onProgress: (p) => progress.push(p) });
    const repoDir = join(e.cacheDir, 'models--google--tiny-bert');
    expect(snap).toMatchObject({ commit: COMMIT, root: repoDir, dir: join(repoDir, 'snapshots', COMMIT) });
    expect(snap.downloaded.sort()).toEqual(['config.json', 'model.safetensors', 'vocab.txt']);
    expect(readFileSync(join(repoDir, 'refs', 'main'), 'utf8')).toBe(COMMIT);
    const link = join(snap.dir, 'model.safetensors');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(`../../blobs/${sha256(read('model.safetensors'))}`);
    expect(existsSync(join(repoDir, '.no_exist', COMMIT, 'tokenizer.json'))).toBe(true);
    const last = progress.filter((p) => p.file === 'model.safetensors').at(-1)!;
    expect(last).toMatchObject({ bytes: read('model.safetensors').length, totalBytes: read('model.safetensors').length, files: 3 });
    // Loads through the links (they stay inside the repo folder) and equals the fixture.
    const hub = await loadModelFolder(snap.dir, { root: snap.root });
    const local = await loadModelFolder(fixture);
    expect(Array.from(hub.model.p('classifier.weight').dataSync())).toEqual(Array.from(local.model.p('classifier.weight').dataSync()));
    [hub, local].forEach((v) => v.model.dispose());
    // A second call downloads nothing; HF_HUB_OFFLINE finds it by refs/main.
    const before = mirror.requests.filter((r) => r.method === 'GET').length;
    expect((await snapshotFromHub(e, 'google/tiny-bert', 'main')).downloaded).toEqual([]);
    expect(mirror.requests.filter((r) => r.method === 'GET').length).toBe(before);
    const offline = await snapshotFromHub({ ...e, offline: true }, 'google/tiny-bert');
    expect(offline).toMatchObject({ commit: COMMIT, fromCacheBecause: 'HF_HUB_OFFLINE is set' });
  });

  it('resumes a dropped download with an HTTP Range request and verifies the sha256', async () => {
    const e = env();
    mirror.faults.cutOff = { 'model.safetensors': 1 };
    const size = read('model.safetensors').length;
    const snap = await snapshotFromHub(e, 'google/tiny-bert', COMMIT);
    const cdnGets = mirror.requests.filter((r) => r.path.startsWith('/cdn/') && r.method === 'GET').slice(-2);
    expect(cdnGets[0].range).toBeNull();
    expect(cdnGets[1].range).toBe(`bytes=${Math.floor(size / 2)}-`);
    expect(readFileSync(join(snap.dir, 'model.safetensors'))).toEqual(Buffer.from(read('model.safetensors')));
  });

  it('resumes what an earlier run left in blobs/<sha256>.incomplete', async () => {
    const e = env();
    const repoDir = join(e.cacheDir, 'models--google--tiny-bert');
    const content = read('model.safetensors');
    mkdirSync(join(repoDir, 'blobs'), { recursive: true });
    writeFileSync(join(repoDir, 'blobs', `${sha256(content)}.incomplete`), content.subarray(0, 1000));
    await snapshotFromHub(e, 'google/tiny-bert');
    expect(mirror.requests.filter((r) => r.path.startsWith('/cdn/')).at(-1)!.range).toBe('bytes=1000-');
  });

  it('refuses and deletes a download that fails its checksum', async () => {
    const e = env();
    mirror.faults.corrupt = new Set(['model.safetensors']);
    try {
      await expect(snapshotFromHub(e, 'google/tiny-bert')).rejects.toThrow(/google\/tiny-bert\/model\.safetensors failed its checksum \(sha256 [0-9a-f]{64}, the Hub says [0-9a-f]{64}\); the download was deleted/);
      const blobs = join(e.cacheDir, 'models--google--tiny-bert', 'blobs');
      expect(existsSync(join(blobs, `${sha256(read('model.safetensors'))}.incomplete`))).toBe(false);
      expect(existsSync(join(blobs, sha256(read('model.safetensors'))))).toBe(false);
    } finally {
      mirror.faults.corrupt = undefined;
    }
  });

  it('loads a sharded checkpoint from the Hub', async () => {
    const e = env();
    const snap = await snapshotFromHub(e, 'org/sharded-bert');
    expect(snap.downloaded.sort()).toEqual(['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'vocab.txt']);
    const value = await loadModelFolder(snap.dir, { root: snap.root });
    const local = await loadModelFolder(fixture);
    for (const [name, v] of local.model.params) expect(Array.from(value.model.p(name).dataSync()), name).toEqual(Array.from(v.dataSync()));
    [value, local].forEach((v) => v.model.dispose());
  });

  it('falls back to pytorch_model.bin when a repo has no safetensors (read without running pickle)', async () => {
    const snap = await snapshotFromHub(env(), 'google/bin-only-bert');
    expect(snap.downloaded.sort()).toEqual(['config.json', 'pytorch_model.bin', 'vocab.txt']);
    const value = await loadModelFolder(snap.dir, { root: snap.root });
    const local = await loadModelFolder(fixture);
    expect(Array.from(value.model.p('classifier.weight').dataSync())).toEqual(Array.from(local.model.p('classifier.weight').dataSync()));
    [value, local].forEach((v) => v.model.dispose());
  });

  it('gated repos: a clear error without a token or with a wrong one; the token goes to the Hub host only', async () => {
    await expect(snapshotFromHub(env(), 'org/gated-bert')).rejects.toThrow(/org\/gated-bert is gated or private \(HTTP 401, GatedRepo\); set HF_TOKEN/);
    await expect(snapshotFromHub(env({ HF_TOKEN: 'hf_wrong' }), 'org/gated-bert')).rejects.toThrow(/the token \(HF_TOKEN\) has no access to org\/gated-bert \(HTTP 403/);
    const snap = await snapshotFromHub(env({ HF_TOKEN: 'hf_secret' }), 'org/gated-bert');
    expect(snap.commit).toBe(COMMIT);
    const cdn = mirror.requests.filter((r) => r.path.startsWith('/cdn/')).at(-1)!;
    expect(cdn.authorization).toBeNull();
  });

  it('says what is wrong for an unknown revision, a missing repo, an offline miss and a bad id', async () => {
    await expect(snapshotFromHub(env(), 'google/tiny-bert', 'v9')).rejects.toThrow('Hub: google/tiny-bert has no revision "v9"');
    await expect(snapshotFromHub(env(), 'google/nope')).rejects.toThrow(/google\/nope is gated or private|no model google\/nope/);
    await expect(snapshotFromHub(env({ HF_HUB_OFFLINE: '1' }), 'google/tiny-bert')).rejects.toThrow(/HF_HUB_OFFLINE is set, and google\/tiny-bert@main is not in the cache/);
    await expect(snapshotFromHub(env(), '../etc/passwd')).rejects.toThrow(/is not a Hub model id/);
  });

  it('the Pretrained model node loads a Hub id with download progress, and the cache key material names the commit', async () => {
    const saved = { HF_HOME: process.env.HF_HOME, HF_ENDPOINT: process.env.HF_ENDPOINT, HF_HUB_OFFLINE: process.env.HF_HUB_OFFLINE };
    process.env.HF_HOME = mkdtempSync(join(tmpdir(), 'hf-home-'));
    process.env.HF_ENDPOINT = mirror.url;
    delete process.env.HF_HUB_OFFLINE;
    try {
      const doc = { nodes: [{ id: 'p', type: 'pretrained-load', typeVersion: 1, params: { source: 'hub', hubId: 'google/tiny-bert', revision: 'main' }, position: { x: 0, y: 0 } }] };
      expect(cachedHubCommits(doc)).toEqual({ p: 'hub:google/tiny-bert@unresolved:main' });
      expect(await resolveHubCommits(doc)).toEqual({ p: `hub:google/tiny-bert@${COMMIT}` });
      const progress: { step: number; totalSteps: number; phase?: string }[] = [];
      const logs: string[] = [];
      const params = pretrainedLoad.params.parse({ source: 'hub', hubId: 'google/tiny-bert' });
      const out = await pretrainedLoadStage.run({ params, inputs: {}, env: {}, signal: new AbortController().signal, progress: (p: { step: number; totalSteps: number; phase?: string }) => progress.push(p), log: (m: string) => logs.push(m) } as never);
      expect(out.model.lineage).toEqual([`google/tiny-bert@${COMMIT.slice(0, 12)}`]);
      expect(out.model.model.head?.labels).toEqual(['billing', 'clinical', 'other']);
      expect(progress.some((p) => p.phase?.startsWith('download model.safetensors') && p.step === p.totalSteps)).toBe(true);
      expect(logs.join('\n')).toContain(`is commit ${COMMIT}; downloaded`);
      out.model.model.dispose();
      expect(cachedHubCommits(doc)).toEqual({ p: `hub:google/tiny-bert@${COMMIT}` });
      const missing = pretrainedLoad.params.parse({ source: 'hub', hubId: 'google/none' });
      await expect(pretrainedLoadStage.run({ params: missing, inputs: {}, env: {}, signal: new AbortController().signal, progress: () => {}, log: () => {} } as never)).rejects.toThrow(StageError);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('uses a cached snapshot when the Hub cannot be reached', async () => {
    const e = env();
    await snapshotFromHub(e, 'google/tiny-bert');
    const snap = await snapshotFromHub({ ...e, endpoint: 'http://127.0.0.1:9' }, 'google/tiny-bert');
    expect(snap.commit).toBe(COMMIT);
    expect(snap.fromCacheBecause).toMatch(/cannot reach/);
  });
});

describe('a cache filled by Python’s huggingface_hub', () => {
  it('is picked up offline: refs/main → snapshots/<commit> → ../../blobs/<id>', async () => {
    await initBackend('wasm');
    const home = mkdtempSync(join(tmpdir(), 'hf-home-'));
    const repoDir = join(home, 'hub', 'models--google--bert_uncased_L-2_H-32');
    const commit = 'c'.repeat(40);
    mkdirSync(join(repoDir, 'blobs'), { recursive: true });
    mkdirSync(join(repoDir, 'snapshots', commit), { recursive: true });
    mkdirSync(join(repoDir, 'refs'), { recursive: true });
    writeFileSync(join(repoDir, 'refs', 'main'), commit);
    for (const name of ['config.json', 'vocab.txt', 'model.safetensors']) {
      const content = read(name);
      const id = name.endsWith('.safetensors') ? sha256(content) : createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
      writeFileSync(join(repoDir, 'blobs', id), content);
      symlinkSync(`../../blobs/${id}`, join(repoDir, 'snapshots', commit, name));
    }
    const snap = await snapshotFromHub(hubEnvFrom({ HF_HOME: home, HF_HUB_OFFLINE: '1' }), 'google/bert_uncased_L-2_H-32');
    expect(snap).toMatchObject({ commit, dir: join(repoDir, 'snapshots', commit) });
    const value = await loadModelFolder(snap.dir, { root: snap.root });
    expect(value.model.config.hiddenSize).toBe(32);
    value.model.dispose();
    // The same links are refused when the folder itself is the confinement (they leave it).
    await expect(loadModelFolder(snap.dir)).rejects.toThrow(/symbolic link to a file outside the model folder/);
  });
});

describe('hubEnvFrom', () => {
  it('reads HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_HUB_OFFLINE and the token file', () => {
    const home = mkdtempSync(join(tmpdir(), 'hf-home-'));
    writeFileSync(join(home, 'token'), 'hf_from_file\n');
    expect(hubEnvFrom({ HF_HOME: home })).toEqual({ cacheDir: join(home, 'hub'), endpoint: 'https://huggingface.co', offline: false, token: 'hf_from_file' });
    expect(hubEnvFrom({ HF_HOME: home, HF_HUB_CACHE: '/c', HF_ENDPOINT: 'http://m/', HF_HUB_OFFLINE: 'true', HF_TOKEN: 'hf_env' })).toEqual({ cacheDir: '/c', endpoint: 'http://m', offline: true, token: 'hf_env' });
    expect(hubEnvFrom({ HOME: '/h', XDG_CACHE_HOME: '/x' }).cacheDir).toBe('/x/huggingface/hub');
  });
});

describe('Pretrained model node, source hub', () => {
  const check = (p: Record<string, unknown>) => pretrainedLoad.check!(pretrainedLoad.params.parse({ source: 'hub', ...p }));
  it('asks for a Hub id and a usable revision, naming the param', () => {
    expect(check({})).toEqual([{ param: 'hubId', message: 'hubId is required when source is hub (e.g. google/bert_uncased_L-4_H-256_A-4)' }]);
    expect(check({ hubId: 'a/b/c' })).toEqual([{ param: 'hubId', message: '"a/b/c" is not a Hub model id (org/name)' }]);
    expect(check({ hubId: 'google/bert_uncased_L-4_H-256_A-4', revision: '../x' })).toEqual([{ param: 'revision', message: 'revision must be a branch, tag or commit' }]);
    expect(check({ hubId: 'google/bert_uncased_L-4_H-256_A-4' })).toEqual([]);
    expect(check({ hubId: 'bert-base-uncased', revision: 'v1.0' })).toEqual([]);
  });
});
