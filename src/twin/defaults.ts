/**
 * The twin trainer's defaults, each with its reason. Studies and commands
 * override them; nothing else in the trainer is a tuning constant.
 */

/**
 * Evaluate every variant on the same validation batch every 50 steps: about
 * 20 paired points per 1000 steps, enough to see where two curves part, for
 * one forward pass of EVAL_BATCH examples per 50 training steps (~2% of the
 * time at batch size 128).
 */
export const EVAL_EVERY = 50;

/**
 * 500 validation examples per step-wise evaluation: the per-step accuracy then
 * moves in steps of 0.2 pp and its sampling noise (~2 pp at 80%) stays below
 * the differences worth a curve, while one batch stays cheap.
 */
export const EVAL_BATCH = 500;

/**
 * Checkpoint a stored run every 100 steps: a kill loses at most 100 steps of
 * work, and every variant's weights and optimizer state are written once per
 * 100 steps rather than at every step.
 */
export const CHECKPOINT_EVERY = 100;

/**
 * Keep the newest two checkpoints of a run: a damaged newest one has a
 * fallback, and the disk holds at most two copies of the state.
 */
export const CHECKPOINTS_KEPT = 2;

/**
 * The streams the trainer's own thread owns, created in this order (the order
 * of their control sums): the data order, the augmentation, the evaluation
 * draws (test-time augmentation), and weight init (drawn by the variants
 * from its spec; listed here so its control sum is recorded at every step).
 * Dropout streams live with each variant (`dropout@<variant>`).
 */
export const TRAINER_STREAMS = ["order", "augment", "eval", "init"] as const;

/** Streams recorded right after a batch is prepared (they draw only then). */
export const DATA_STREAMS = ["order", "augment"] as const;
