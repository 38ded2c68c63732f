// Finite-difference gradient check: compares tf.grads with central differences, element by element.
import * as tf from '@tensorflow/tfjs-core';

/** Tolerances and sampling for checkGradients. */
export interface GradCheckOptions {
  /** Step for central differences (float32: 1e-3..1e-2 works best). Default 1e-3. */
  eps?: number;
  /** Relative tolerance against |numeric|. Default 1e-2. */
  rtol?: number;
  /** Absolute tolerance. Default 1e-3. */
  atol?: number;
  /** Check at most this many elements per input (evenly spread), to keep big inputs fast. Default 64. */
  maxElements?: number;
}

/** What was compared, for assertions and messages. */
export interface GradCheckReport {
  checked: number;
  maxAbsError: number;
}

/**
 * Checks the analytic gradient of scalar f at `inputs` (float32 tensors) against central finite
 * differences (f(x+eps) − f(x−eps)) / 2eps. Throws naming the input, flat element index and both
 * values at the first element where |analytic − numeric| > atol + rtol·|numeric|.
 */
export function checkGradients(
  f: (...xs: tf.Tensor[]) => tf.Scalar,
  inputs: tf.Tensor[],
  options: GradCheckOptions = {},
): GradCheckReport {
  const { eps = 1e-3, rtol = 1e-2, atol = 1e-3, maxElements = 64 } = options;
  const analytic = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => f(...xs))(inputs));
  const analyticValues = analytic.map((g) => g.dataSync() as Float32Array);
  tf.dispose(analytic);
  const evalAt = (which: number, values: Float32Array): number =>
    tf.tidy(() => {
      const xs = inputs.map((x, k) => (k === which ? tf.tensor(values, x.shape, 'float32') : x));
      return f(...xs).dataSync()[0] as number;
    });
  let checked = 0;
  let maxAbsError = 0;
  inputs.forEach((x, k) => {
    if (x.dtype !== 'float32') throw new Error(`checkGradients: input ${k} is ${x.dtype}; only float32 inputs can be perturbed`);
    const base = Float32Array.from(x.dataSync() as Float32Array);
    const stride = Math.max(1, Math.floor(base.length / maxElements));
    for (let i = 0; i < base.length; i += stride) {
      const orig = base[i] as number;
      base[i] = orig + eps;
      const plus = evalAt(k, base);
      base[i] = orig - eps;
      const minus = evalAt(k, base);
      base[i] = orig;
      const numeric = (plus - minus) / (2 * eps);
      const got = analyticValues[k]![i] as number;
      const err = Math.abs(got - numeric);
      maxAbsError = Math.max(maxAbsError, err);
      checked++;
      if (!(err <= atol + rtol * Math.abs(numeric))) {
        throw new Error(
          `checkGradients: input ${k} (shape [${x.shape}]) element ${i}: analytic ${got} vs numeric ${numeric} (|diff| ${err} > ${atol} + ${rtol}·|numeric|)`,
        );
      }
    }
  });
  return { checked, maxAbsError };
}
