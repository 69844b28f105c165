/** The CNN shared by examples/pretrain-backbone.ts and examples/pretrain-finetune.study.ts (five classes), and where its pretrained weights live. */
import { nn } from "twin";

/** conv16 → conv32 → fc64 → fc5; parameter paths 0, 3 (convolutions), 7 (hidden layer), 9 (the head). */
export function backbone() {
  return nn.cnn({ channels: [16, 32], hidden: 64, numClasses: 5 });
}

/** Written by examples/pretrain-backbone.ts (not committed: run it first). */
export const PRETRAINED_WEIGHTS = new URL("./weights/fmnist-classes-0-4-cnn.safetensors", import.meta.url);
