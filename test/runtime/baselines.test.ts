import { describe, expect, it } from 'vitest';
import { trainTfidfLogReg } from '../../runtime/baselines/tfidf-logreg';

describe('TF-IDF + logistic regression baseline', () => {
  it('separates two classes by their words and generalises to unseen texts', () => {
    const texts = ['cheap pills buy now', 'win money now', 'free offer click here', 'meeting at noon', 'see attached report', 'lunch tomorrow with the team'];
    const labels = [1, 1, 1, 0, 0, 0];
    const model = trainTfidfLogReg(texts, labels, 2, { epochs: 200 });
    expect(model.predict(texts)).toEqual(labels);
    expect(model.predict(['buy cheap offer now', 'report for the team meeting'])).toEqual([1, 0]);
  });
});
