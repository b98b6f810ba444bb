#!/usr/bin/env python3
"""The compute floor of the whole-brief goal: DistilBART's encoder alone on one 1,024-token article (the
summarizer's input chunk), f32 and torch's dynamic int8, fastest of 5 calls. Random weights in the real shape
suffice (the encoder's cost does not depend on the values).

Usage: bench/encoder_floor.py HF_MODEL_DIR THREADS   (HF_MODEL_DIR: bench/make_models.py's distilbart-cnn-12-6)"""
import sys
import time

import torch
from transformers import BartForConditionalGeneration


def fastest(encoder, ids, calls=5):
    best = float("inf")
    with torch.inference_mode():
        encoder(input_ids=ids)
        for _ in range(calls):
            t0 = time.perf_counter()
            encoder(input_ids=ids)
            best = min(best, time.perf_counter() - t0)
    return best


def main():
    torch.set_num_threads(int(sys.argv[2]))
    encoder = BartForConditionalGeneration.from_pretrained(sys.argv[1]).eval().get_encoder()
    ids = torch.randint(4, 50000, (1, 1024))
    int8 = torch.ao.quantization.quantize_dynamic(encoder, {torch.nn.Linear}, dtype=torch.qint8)
    for name, e in [("f32", encoder), ("int8 (torch dynamic)", int8)]:
        print(f"{name}: encoder, 1 × 1024 tokens, {torch.get_num_threads()} threads: {fastest(e, ids):.2f} s "
              "(fastest of 5)")


if __name__ == "__main__":
    main()
