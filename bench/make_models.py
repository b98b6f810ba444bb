#!/usr/bin/env python3
"""Random-weight models in the exact shapes of opus-mt-fr-en, opus-mt-en-fr and distilbart-cnn-12-6, saved in the
Hugging Face layout (what `save_pretrained` writes), plus the fixed benchmark inputs.

Same compute as the real models: the published config.json, generation_config.json and tokenizer files
(tests/fixtures/real-configs, and the real tokenizer files the natural-stop fixtures carry); random weights (the
real ones are only on the Hugging Face Hub). The engine benchmark feeds token ids (inputs.json), so tokenizers
only matter to the peers' loaders and to bench/brief.sh.

Usage: make_models.py OUT_DIR   (writes OUT_DIR/hf/<name>/ and OUT_DIR/inputs.json; skips models already there)
"""
import json
import os
import random
import shutil
import sys

import torch
from transformers import AutoConfig, BartForConditionalGeneration, MarianMTModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "models")
REAL_CONFIGS = os.path.join(ROOT, "tests", "fixtures", "real-configs")
SEED = 20251121

def copy_real_files(dest, name, tokenizer_fixture):
    """The published config, generation config and tokenizer files of `name` (tests/fixtures/real-configs and the
    natural-stop fixture of the same role, which carries the real tokenizer files byte for byte)."""
    os.makedirs(dest, exist_ok=True)
    for f in ["config.json", "generation_config.json"]:
        shutil.copy(os.path.join(REAL_CONFIGS, name, f), os.path.join(dest, f))
    fixture = os.path.join(FIXTURES, tokenizer_fixture)
    for f in os.listdir(fixture):
        if f not in ("config.json", "generation_config.json", "model.safetensors"):
            shutil.copy(os.path.join(fixture, f), os.path.join(dest, f))


def make_model(out, name, tokenizer_fixture, model_class, seed):
    dest = os.path.join(out, "hf", name)
    copy_real_files(dest, name, tokenizer_fixture)
    if os.path.isfile(os.path.join(dest, "model.safetensors")):
        return
    torch.manual_seed(seed)
    config = AutoConfig.from_pretrained(dest)
    # Random weights a little larger than the configs' init_std (0.02), as in earlier runs of this benchmark.
    config.init_std = 0.1 if config.model_type == "marian" else 0.05
    model = model_class(config).eval()
    model.save_pretrained(dest, safe_serialization=True)
    # save_pretrained rewrites config.json; keep the published file (and its generation settings).
    copy_real_files(dest, name, tokenizer_fixture)


def make_inputs(out):
    path = os.path.join(out, "inputs.json")
    if os.path.isfile(path):
        return
    rng = random.Random(SEED)
    # 64 sentences of 32 source tokens (31 pieces + </s>); 4 articles of 700 tokens (<s> 698 pieces </s>).
    translate = [[rng.randrange(2, 400) for _ in range(31)] + [0] for _ in range(64)]
    summarize = [[0] + [rng.randrange(3, 50000) for _ in range(698)] + [2] for _ in range(4)]
    with open(path, "w") as f:
        json.dump({"translate": translate, "summarize": summarize}, f)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    make_model(out, "opus-mt-fr-en", "stop-marian-fr-en", MarianMTModel, SEED + 1)
    make_model(out, "opus-mt-en-fr", "stop-marian-en-fr", MarianMTModel, SEED + 2)
    make_model(out, "distilbart-cnn-12-6", "stop-bart-cnn", BartForConditionalGeneration, SEED + 3)
    make_inputs(out)
    print(f"models and inputs under {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
