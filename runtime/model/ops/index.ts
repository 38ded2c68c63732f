// The tensor ops the BERT model is built from, tuned for the tfjs backends we run on (wasm first).
export { dense, isFrozen } from './dense';
export { embeddingLookup } from './embedding';
export { layerNorm } from './layer-norm';
export { gelu, geluTanh } from './gelu';
export { dropout } from './dropout';
export { matMul, matMulPlain, plainProduct, swapLastTwo } from './matmul';
export { attention, multiHeadAttention, type AttentionOptions } from './attention';
export { sumRows, transposeShared } from './reduce';
export { registerWasmGradientKernels } from './wasm-kernels';
