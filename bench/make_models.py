#!/usr/bin/env python3
"""Random-weight models in the exact shapes of opus-mt-fr-en, opus-mt-en-fr and distilbart-cnn-12-6 whose outputs
stop at realistic lengths, saved in the Hugging Face layout, plus the benchmark inputs.

Same compute as the real models: the published config.json, generation_config.json and tokenizer files
(tests/fixtures/real-configs, and the real tokenizer files the natural-stop fixtures carry); random weights (the
real ones are only on the Hugging Face Hub) at the configs' own init_std (0.02), with a few weights set by hand so
that the models end at EOS the way trained ones do:

- **Marian: output length follows the source.** The last decoder layer's first cross-attention head attends by
  position: its keys read the encoder's sinusoidal position features at 32 frequencies ω_k, its queries the
  decoder's at ω_(k+5) = ω_k / 1.20, so decoder step t looks at source position ≈ t / 1.2. Its values read how
  much the attended source token is `</s>`, and its output writes that along `</s>`'s (tied) output embedding:
  EOS wins when the head reaches the source's end: measured (BENCHMARKS.md, 2026-12-01) 1.18–1.22 × the source's
  tokens on average, 1.00–1.36 per sentence (`final_logits_bias` −2 on `</s>` keeps EOS below the competition
  until then). The position features are kept clean by zeroing those dimensions (66 of 512) in the token
  embeddings and in every sublayer's output projection (residual stream = position there).
- **BART: summaries end between min_length 56 and max_length 142.** One residual dimension carries a ramp of the
  decoder position (learned position table), protected the same way; `</s>`'s output embedding reads it, so the
  EOS logit rises with the position and crosses the (random) competition at a step that depends on the content
  (measured: 72–137 new tokens); a constant in a second protected dimension, read by `</s>` alone, sets where (instead of
  `final_logits_bias`, which rust-bert's BART lacks and `tandem models import` therefore refuses).

The engine benchmark feeds token ids (inputs.json): sentences and articles written by `make_inputs` from this
repo's own news-like corpus (tests/fixtures/tokenizers/corpus.txt, no scraped text) with the length distribution
of real news (sentences: median 22 words, 5–80; articles 400–900 words), tokenized by the real tokenizers.

Usage: make_models.py OUT_DIR   (writes OUT_DIR/hf/<name>/ and OUT_DIR/inputs.json; skips what is there)
"""
import json
import math
import os
import random
import shutil
import sys

import torch
from transformers import AutoConfig, AutoTokenizer, BartForConditionalGeneration, MarianMTModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "models")
REAL_CONFIGS = os.path.join(ROOT, "tests", "fixtures", "real-configs")
CORPUS = os.path.join(ROOT, "tests", "fixtures", "tokenizers", "corpus.txt")
SEED = 20251201
# Marian: the decoder reads frequency k + SHIFT where the encoder reads k: step t attends source t / 10000^(SHIFT/256).
SHIFT = 5
FREQS = list(range(40, 200, 5))  # 32 of the 256 sinusoid frequencies, ω from 0.24 to 7.5e-4
QUERY_GAIN, EOS_GAIN, MARIAN_EOS_BIAS = 15.0, 3.0, -2.0
# BART: the EOS logit ramps with the decoder position; crossing near step RAMP_AT, spread by the content.
RAMP_AT, RAMP_WIDTH, RAMP_EOS, BART_EOS_BIAS = 95.0, 20.0, 0.5, 2.5


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


def protect(model, dims):
    """Nothing but the position embeddings writes into `dims` of the residual stream."""
    model.model.shared.weight[:, dims] = 0
    for layer in list(model.model.encoder.layers) + list(model.model.decoder.layers):
        outs = [layer.self_attn.out_proj, layer.fc2]
        if hasattr(layer, "encoder_attn"):
            outs.append(layer.encoder_attn.out_proj)
        for lin in outs:
            lin.weight[dims, :] = 0
            lin.bias[dims] = 0


@torch.no_grad()
def marian_stops_after_source(model):
    c = model.config
    d, half = c.d_model, c.d_model // 2
    head = d // c.decoder_attention_heads
    assert len(FREQS) * 2 == head
    dims = sorted({k for k in FREQS} | {half + k for k in FREQS} | {k + SHIFT for k in FREQS}
                  | {half + k + SHIFT for k in FREQS})
    protect(model, dims)
    attn = model.model.decoder.layers[-1].encoder_attn
    for lin in (attn.q_proj, attn.k_proj, attn.v_proj):
        lin.weight[:head] = 0
        lin.bias[:head] = 0
    for j, k in enumerate(FREQS):
        # Marian's sinusoids: sin(p·ω_k) in dimension k, cos(p·ω_k) in dimension half + k.
        attn.k_proj.weight[2 * j, k] = 1.0
        attn.k_proj.weight[2 * j + 1, half + k] = 1.0
        attn.q_proj.weight[2 * j, k + SHIFT] = QUERY_GAIN
        attn.q_proj.weight[2 * j + 1, half + k + SHIFT] = QUERY_GAIN
    eos = c.eos_token_id
    e = model.model.shared.weight[eos]
    e = e / e.norm()
    attn.v_proj.weight[0] = e
    attn.out_proj.weight[:, 0] = EOS_GAIN * e
    model.final_logits_bias[0, eos] = MARIAN_EOS_BIAS


@torch.no_grad()
def bart_stops_in_range(model):
    eos = model.config.eos_token_id
    protect(model, [0, 1])
    table = model.model.decoder.embed_positions.weight  # row t + 2 is position t
    t = torch.arange(table.shape[0] - 2, dtype=torch.float)
    table[2:, 0] = 0.028 * (t - RAMP_AT) / RAMP_WIDTH  # 0.028: the per-dimension std of token + position
    table[2:, 1] = 0.028  # a constant, in place of final_logits_bias (which rust-bert's BART lacks)
    model.model.shared.weight[eos, 0] = RAMP_EOS
    # What the decoder's last hidden state holds in dimension 1 (layer norms rescale it): `</s>` reads it so that
    # its logit gets BART_EOS_BIAS.
    g = torch.Generator().manual_seed(SEED)
    src = torch.randint(3, 50000, (1, 600), generator=g)
    tgt = torch.randint(3, 50000, (1, 142), generator=g)
    hidden = model(input_ids=src, decoder_input_ids=tgt, output_hidden_states=True).decoder_hidden_states[-1]
    model.model.shared.weight[eos, 1] = BART_EOS_BIAS / hidden[0, :, 1].mean()


def make_model(out, name, tokenizer_fixture, model_class, shape_stops, seed):
    dest = os.path.join(out, "hf", name)
    copy_real_files(dest, name, tokenizer_fixture)
    if os.path.isfile(os.path.join(dest, "model.safetensors")):
        return
    torch.manual_seed(seed)
    config = AutoConfig.from_pretrained(dest)
    model = model_class(config).eval()
    shape_stops(model)
    model.save_pretrained(dest, safe_serialization=True)
    # save_pretrained rewrites config.json; keep the published file (and its generation settings).
    copy_real_files(dest, name, tokenizer_fixture)


def corpus(lang):
    lines = []
    with open(CORPUS, encoding="utf-8") as f:
        for line in f:
            tag, _, text = line.rstrip("\n").partition("\t")
            # Lines that spell special tokens (`<mask>`, `>>fr<<`, …) test tokenizers, not news.
            if tag == lang and len(text.split()) >= 4 and "<" not in text and ">" not in text:
                lines.append(text.strip())
    return lines


def sentence(rng, lines):
    """One news-like sentence: corpus clauses joined up to a length drawn like real news sentences' (log-normal,
    median 22 words, 5–80)."""
    target = int(min(80, max(5, round(math.exp(rng.gauss(math.log(22), 0.45))))))
    words = []
    while len(words) < target:
        clause = rng.choice(lines).rstrip(".!?»… ").split()
        words.extend(clause)
        if len(words) < target:
            words[-1] += ","
    words = words[:target]
    return " ".join(words).rstrip(",;:") + "."


def article(rng, lines):
    target = rng.randrange(400, 901)
    out, n = [], 0
    while n < target:
        s = sentence(rng, lines)
        out.append(s)
        n += len(s.split())
    return " ".join(out)


def make_inputs(out, sentences=64, articles=4):
    """inputs.json: `translate` (French sentences, opus-mt-fr-en ids), `translate_en` (English sentences, opus-mt-en-fr
    ids), `summarize` (English articles, distilbart ids with transformers' pipeline prefix " ", cut at 1,024
    tokens as the model's positions are), and the texts and word counts they came from."""
    path = os.path.join(out, "inputs.json")
    if os.path.isfile(path):
        return
    rng = random.Random(SEED)
    fr, en = corpus("fr"), corpus("en")
    texts = {
        "translate": [sentence(rng, fr) for _ in range(sentences)],
        "translate_en": [sentence(rng, en) for _ in range(sentences)],
        "summarize": [article(rng, en) for _ in range(articles)],
    }
    models = {"translate": "opus-mt-fr-en", "translate_en": "opus-mt-en-fr", "summarize": "distilbart-cnn-12-6"}
    result = {}
    for key, items in texts.items():
        tok = AutoTokenizer.from_pretrained(os.path.join(out, "hf", models[key]))
        prefix = " " if key == "summarize" else ""
        result[key] = [tok(prefix + t, truncation=True, max_length=1024)["input_ids"] for t in items]
        result[key + "_words"] = [len(t.split()) for t in items]
    result["texts"] = texts
    with open(path, "w") as f:
        json.dump(result, f)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    make_model(out, "opus-mt-fr-en", "stop-marian-fr-en", MarianMTModel, marian_stops_after_source, SEED + 1)
    make_model(out, "opus-mt-en-fr", "stop-marian-en-fr", MarianMTModel, marian_stops_after_source, SEED + 2)
    make_model(out, "distilbart-cnn-12-6", "stop-bart-cnn", BartForConditionalGeneration, bart_stops_in_range,
               SEED + 3)
    make_inputs(out)
    print(f"models and inputs under {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
