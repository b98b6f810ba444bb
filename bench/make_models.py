#!/usr/bin/env python3
"""Random-weight models in the exact shapes of opus-mt-fr-en, opus-mt-en-fr and distilbart-cnn-12-6, saved in the
Hugging Face layout (what `save_pretrained` writes), plus the fixed benchmark inputs.

Same compute as the real models (shapes and configs as published), random weights (the real ones are only on the
Hugging Face Hub). Tokenizer files: the tiny test tokenizers, with the vocabulary padded to the real size by
placeholder pieces, so every tool (tandem import, CTranslate2's converter) sees a complete vocabulary.

Usage: make_models.py OUT_DIR   (writes OUT_DIR/hf/<name>/ and OUT_DIR/inputs.json; skips models already there)
"""
import json
import os
import random
import shutil
import sys

import torch
from transformers import BartConfig, BartForConditionalGeneration, MarianConfig, MarianMTModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "models")
SEED = 20251121

MARIAN_VOCAB = 59514
BART_VOCAB = 50264


def marian_config(vocab):
    # Helsinki-NLP/opus-mt-fr-en and opus-mt-en-fr config.json (transformers 4.22 export).
    return MarianConfig(
        vocab_size=vocab, decoder_vocab_size=vocab, d_model=512, encoder_layers=6, decoder_layers=6,
        encoder_attention_heads=8, decoder_attention_heads=8, encoder_ffn_dim=2048, decoder_ffn_dim=2048,
        max_position_embeddings=512, activation_function="swish", pad_token_id=vocab - 1, eos_token_id=0,
        bos_token_id=0, decoder_start_token_id=vocab - 1, forced_eos_token_id=0, bad_words_ids=[[vocab - 1]],
        num_beams=4, max_length=512, scale_embedding=True, share_encoder_decoder_embeddings=True,
        normalize_embedding=False, static_position_embeddings=True, add_final_layer_norm=False,
        init_std=0.1, dropout=0.1,
    )


def bart_config():
    # sshleifer/distilbart-cnn-12-6 config.json.
    return BartConfig(
        vocab_size=BART_VOCAB, d_model=1024, encoder_layers=12, decoder_layers=6, encoder_attention_heads=16,
        decoder_attention_heads=16, encoder_ffn_dim=4096, decoder_ffn_dim=4096, max_position_embeddings=1024,
        activation_function="gelu", bos_token_id=0, pad_token_id=1, eos_token_id=2, decoder_start_token_id=2,
        forced_bos_token_id=0, forced_eos_token_id=2, scale_embedding=False, normalize_before=False,
        add_final_layer_norm=False, init_std=0.05, extra_pos_embeddings=2,
        task_specific_params={"summarization": {"early_stopping": True, "length_penalty": 2.0, "max_length": 142,
                                                "min_length": 56, "no_repeat_ngram_size": 3, "num_beams": 4}},
    )


def padded_vocab(src_vocab, size, placeholder, pad_last):
    vocab = {k: v for k, v in src_vocab.items() if not (pad_last and k == "<pad>")}
    n = len(vocab)
    limit = size - 1 if pad_last else size
    while n < limit:
        vocab[f"{placeholder}{n}"] = n
        n += 1
    if pad_last:
        vocab["<pad>"] = size - 1
    return vocab


def make_marian(out, name, seed):
    dest = os.path.join(out, "hf", name)
    done = os.path.isfile(os.path.join(dest, "model.safetensors"))
    os.makedirs(dest, exist_ok=True)
    fixture = os.path.join(FIXTURES, "marian-fr-en")
    for f in ["source.spm", "target.spm"]:
        shutil.copy(os.path.join(fixture, f), os.path.join(dest, f))
    with open(os.path.join(fixture, "tokenizer_config.json"), encoding="utf-8") as f:
        tok_config = json.load(f)
    tok_config.pop("added_tokens_decoder", None)  # its <pad> id is the tiny vocabulary's
    with open(os.path.join(dest, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tok_config, f, indent=1)
    with open(os.path.join(fixture, "vocab.json"), encoding="utf-8") as f:
        vocab = padded_vocab(json.load(f), MARIAN_VOCAB, "▁tok", pad_last=True)
    with open(os.path.join(dest, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    if done:
        return
    torch.manual_seed(seed)
    model = MarianMTModel(marian_config(MARIAN_VOCAB)).eval()
    model.save_pretrained(dest, safe_serialization=True)


def make_bart(out, seed):
    dest = os.path.join(out, "hf", "distilbart-cnn-12-6")
    if os.path.isfile(os.path.join(dest, "model.safetensors")):
        return
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    fixture = os.path.join(FIXTURES, "bart-cnn")
    for f in ["merges.txt", "tokenizer_config.json", "special_tokens_map.json"]:
        if os.path.isfile(os.path.join(fixture, f)):
            shutil.copy(os.path.join(fixture, f), os.path.join(dest, f))
    with open(os.path.join(fixture, "vocab.json"), encoding="utf-8") as f:
        vocab = padded_vocab(json.load(f), BART_VOCAB, "Ġtok", pad_last=False)
    with open(os.path.join(dest, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    torch.manual_seed(seed)
    model = BartForConditionalGeneration(bart_config()).eval()
    model.save_pretrained(dest, safe_serialization=True)


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
    make_marian(out, "opus-mt-fr-en", SEED + 1)
    make_marian(out, "opus-mt-en-fr", SEED + 2)
    make_bart(out, SEED + 3)
    make_inputs(out)
    print(f"models and inputs under {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
