// The classical yardstick: TF-IDF features (unigrams + bigrams, sublinear tf, l2 norm) and a
// multinomial logistic regression trained by full-batch gradient descent with L2 — plain TypeScript.

export interface TfidfLogRegOptions {
  maxFeatures?: number;
  epochs?: number;
  learningRate?: number;
  l2?: number;
  /** Hears epochs done of the total while the regression is fitted. */
  onEpoch?: (done: number, total: number) => void;
}

const tokenize = (text: string) => text.toLowerCase().match(/[a-z0-9$!']+/g) ?? [];

function ngrams(tokens: string[]): string[] {
  const out = [...tokens];
  for (let i = 0; i + 1 < tokens.length; i++) out.push(`${tokens[i]} ${tokens[i + 1]}`);
  return out;
}

/** A fitted classifier: `predict(texts)` gives label indices. */
export function trainTfidfLogReg(texts: string[], labels: number[], numClasses: number, opts: TfidfLogRegOptions = {}) {
  const maxFeatures = opts.maxFeatures ?? 20000;
  const df = new Map<string, number>();
  const docs = texts.map((t) => ngrams(tokenize(t)));
  for (const d of docs) for (const g of new Set(d)) df.set(g, (df.get(g) ?? 0) + 1);
  const vocab = [...df].filter(([, c]) => c >= 1).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxFeatures);
  const index = new Map(vocab.map(([g], i) => [g, i]));
  const N = texts.length;
  const idf = Float64Array.from(vocab, ([, c]) => Math.log((1 + N) / (1 + c)) + 1);
  const vectorize = (d: string[]) => {
    const tf = new Map<number, number>();
    for (const g of d) {
      const i = index.get(g);
      if (i !== undefined) tf.set(i, (tf.get(i) ?? 0) + 1);
    }
    const entries = [...tf].map(([i, c]) => [i, (1 + Math.log(c)) * idf[i]] as [number, number]);
    const norm = Math.sqrt(entries.reduce((s, [, v]) => s + v * v, 0)) || 1;
    return entries.map(([i, v]) => [i, v / norm] as [number, number]);
  };
  const X = docs.map(vectorize);
  const F = vocab.length;
  const C = numClasses;
  const W = new Float64Array(F * C);
  const b = new Float64Array(C);
  const lr = opts.learningRate ?? 2;
  const l2 = opts.l2 ?? 1e-4;
  const scores = (x: [number, number][]) => {
    const z = Array.from(b);
    for (const [i, v] of x) for (let c = 0; c < C; c++) z[c] += W[i * C + c] * v;
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / s);
  };
  const epochs = opts.epochs ?? 300;
  opts.onEpoch?.(0, epochs);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const gW = new Float64Array(F * C);
    const gb = new Float64Array(C);
    for (let n = 0; n < N; n++) {
      const p = scores(X[n]);
      p[labels[n]] -= 1;
      for (let c = 0; c < C; c++) gb[c] += p[c];
      for (const [i, v] of X[n]) for (let c = 0; c < C; c++) gW[i * C + c] += p[c] * v;
    }
    for (let k = 0; k < W.length; k++) W[k] -= lr * (gW[k] / N + l2 * W[k]);
    for (let c = 0; c < C; c++) b[c] -= (lr * gb[c]) / N;
    opts.onEpoch?.(epoch + 1, epochs);
  }
  return {
    features: F,
    predict: (batch: string[]) =>
      batch.map((t) => {
        const p = scores(vectorize(ngrams(tokenize(t))));
        return p.indexOf(Math.max(...p));
      }),
  };
}
