// The report's label-efficiency answer says why TF-IDF wins at a count from what was measured: a
// fine-tune that kept its last epoch stopped while still improving, which is not a verdict on features.
import { describe, expect, it } from 'vitest';
import { curveWhy, type CurvePoint } from '../../scripts/report/answers';

const base: CurvePoint[] = [{ labels: 50, macroF1: 0.807 }, { labels: 100, macroF1: 0.889 }];

describe('curveWhy', () => {
  it('names an undertrained run where the best epoch was the last', () => {
    const neural: CurvePoint[] = [{ labels: 50, macroF1: 0.749, bestEpoch: 10, epochs: 10 }, { labels: 100, macroF1: 0.919, bestEpoch: 7, epochs: 10 }];
    const why = curveWhy(neural, base, [50]);
    expect(why).toContain('TF-IDF scores higher at 50 labels');
    expect(why).toContain('At 50 labels the fine-tune kept its last epoch (10 of 10)');
    expect(why).toContain('undertrained');
  });

  it('otherwise explains the loss by what the features separate', () => {
    const neural: CurvePoint[] = [{ labels: 50, macroF1: 0.749, bestEpoch: 6, epochs: 25 }, { labels: 100, macroF1: 0.919, bestEpoch: 7, epochs: 10 }];
    const why = curveWhy(neural, base, [50]);
    expect(why).not.toContain('undertrained');
    expect(why).toContain('Word and word-pair counts already separate spam well');
  });
});
