// Sizes of the bundled datasets, known without loading them (the browser and the compiler use
// them to pick defaults and check splits); a test loads each dataset and compares.

/** Examples, label count and task of each bundled dataset, by dataset-bundled's `dataset` value. */
export const BUNDLED_DATASETS = {
  'spam-assassin': { examples: 6046, labels: 2, task: 'sequence' },
  'brown-genre': { examples: 7378, labels: 15, task: 'sequence' },
  'brown-pos': { examples: 57340, labels: 12, task: 'token' },
} as const satisfies Record<string, { examples: number; labels: number; task: 'sequence' | 'token' }>;
