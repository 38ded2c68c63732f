// The one import of TensorFlow.js for runtime code: tfjs-core with every gradient registered.
// (tfjs-core's own dist/register_all_gradients fails to load under Node/tsx; see ops/register-gradients.)
import './model/ops/register-gradients';
import * as tf from '@tensorflow/tfjs-core';

export { tf };
export type { Tensor, Tensor1D, Tensor2D, Tensor3D, Scalar, Variable, Rank } from '@tensorflow/tfjs-core';
