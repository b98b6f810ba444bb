#!/usr/bin/env python3
"""Generate the tiny test models and the parity fixtures that prove tandem's model code correct.

Writes, under tests/fixtures/:
  models/marian-fr-en/, models/marian-en-fr/, models/bart-cnn/
      tiny random-weight models in the Hugging Face layout (config.json, generation_config.json,
      model.safetensors, tokenizer files), exactly what `save_pretrained` writes for the real checkpoints;
  models/pytorch-bin/marian-fr-en/pytorch_model.bin
      the fr-en weights again in the pickle format, to test importing it;
  parity/<name>.json
      fixed inputs, the token ids Hugging Face's tokenizer gives them, and the token ids that
      `transformers` generates from them (greedy and beam search) with the settings recorded beside them.

tandem's tests import these folders through `tandem models import` (the same code path as the real models)
and must reproduce every token id. Run it with a Python that has torch 2.4 and transformers 4.46
(`scripts/python-env.sh` makes one); outputs are deterministic for a given seed and versions.
"""
import json
import os
import shutil
import sys
import tempfile

import sentencepiece as spm
import torch
import transformers
from tokenizers import ByteLevelBPETokenizer
from transformers import (BartConfig, BartForConditionalGeneration, BartTokenizer, MarianConfig,
                          MarianMTModel, MarianTokenizer)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "scripts", "fixture-data")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
SEED = 20251110


def read_lines(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


EN = read_lines("corpus.en.txt")
FR = read_lines("corpus.fr.txt")


def train_spm(tmp):
    """One unigram SentencePiece model over both languages, used as source.spm and target.spm."""
    corpus = os.path.join(tmp, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write("\n".join(EN + FR) + "\n")
    prefix = os.path.join(tmp, "spm")
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=prefix, vocab_size=400, model_type="unigram",
        character_coverage=1.0, normalization_rule_name="identity", bos_id=-1, eos_id=-1,
        unk_id=0, unk_piece="<unk>", seed_sentencepiece_size=2000, num_threads=1,
    )
    return prefix + ".model"


def marian_vocab(spm_path):
    """Marian's convention: </s> = 0, <unk> = 1, the pieces, and <pad> last."""
    sp = spm.SentencePieceProcessor(model_file=spm_path)
    vocab = {"</s>": 0, "<unk>": 1}
    for i in range(sp.get_piece_size()):
        piece = sp.id_to_piece(i)
        if piece not in vocab:
            vocab[piece] = len(vocab)
    vocab["<pad>"] = len(vocab)
    return vocab


def first_eos_cut(ids, eos, pad):
    out = []
    for i, t in enumerate(ids):
        if i > 0 and t == pad and (not out or out[-1] == eos or out[-1] == pad):
            break
        out.append(t)
        if i > 0 and t == eos:
            break
    return out


def generate_cases(model, tok, inputs, cases, eos, pad):
    enc = tok(inputs, return_tensors="pt", padding=True)
    results = []
    for case in cases:
        settings = dict(case["settings"])
        with torch.no_grad():
            out = model.generate(**enc, **settings)
        results.append({"name": case["name"], "settings": settings,
                        "output_ids": [first_eos_cut(row.tolist(), eos, pad) for row in out]})
    return results


def input_ids_of(tok, inputs):
    return [tok(text)["input_ids"] for text in inputs]


def save_parity(name, inputs, tok, results):
    os.makedirs(os.path.join(FIXTURES, "parity"), exist_ok=True)
    doc = {"model": name, "generated_by": "scripts/make-test-models.py",
           "transformers_version": transformers.__version__, "torch_version": torch.__version__,
           "inputs": inputs, "input_ids": input_ids_of(tok, inputs), "cases": results}
    with open(os.path.join(FIXTURES, "parity", f"{name}.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")


def make_marian(name, spm_path, vocab, inputs, seed):
    out = os.path.join(FIXTURES, "models", name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    shutil.copy(spm_path, os.path.join(out, "source.spm"))
    shutil.copy(spm_path, os.path.join(out, "target.spm"))
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False, indent=1)
    src, tgt = name.split("-")[1:3]
    tok = MarianTokenizer(os.path.join(out, "source.spm"), os.path.join(out, "target.spm"),
                          os.path.join(out, "vocab.json"), source_lang=src, target_lang=tgt)
    tok.save_pretrained(out)
    pad = vocab["<pad>"]
    # Same fields as Helsinki-NLP/opus-mt-*'s config.json, at toy size.
    config = MarianConfig(
        vocab_size=len(vocab), decoder_vocab_size=len(vocab), d_model=32, encoder_layers=2,
        decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=64,
        decoder_ffn_dim=64, max_position_embeddings=64, activation_function="swish",
        pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad, forced_eos_token_id=0,
        bad_words_ids=[[pad]], num_beams=4, max_length=64, scale_embedding=True,
        share_encoder_decoder_embeddings=True, init_std=0.3, dropout=0.1,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    with torch.no_grad():
        model.final_logits_bias.normal_(0.0, 0.5)  # non-zero, so the bias term is exercised
    model.save_pretrained(out, safe_serialization=True)
    if name == "marian-fr-en":
        # The same weights in the older pickle format (pytorch_model.bin), which some Hub repos still ship.
        with tempfile.TemporaryDirectory() as tmp:
            model.save_pretrained(tmp, safe_serialization=False)
            bin_dir = os.path.join(FIXTURES, "models", "pytorch-bin", name)
            os.makedirs(bin_dir, exist_ok=True)
            shutil.copy(os.path.join(tmp, "pytorch_model.bin"), os.path.join(bin_dir, "pytorch_model.bin"))
    cases = [
        {"name": "greedy", "settings": {"num_beams": 1, "do_sample": False, "max_length": 20,
                                        "min_length": 0, "no_repeat_ngram_size": 0}},
        {"name": "greedy_no_repeat", "settings": {"num_beams": 1, "do_sample": False, "max_length": 20,
                                                  "min_length": 4, "no_repeat_ngram_size": 2}},
        {"name": "beam4", "settings": {"num_beams": 4, "do_sample": False, "max_length": 20,
                                       "min_length": 0, "no_repeat_ngram_size": 0,
                                       "length_penalty": 1.0, "early_stopping": True}},
        {"name": "beam4_no_repeat", "settings": {"num_beams": 4, "do_sample": False, "max_length": 20,
                                                 "min_length": 3, "no_repeat_ngram_size": 2,
                                                 "length_penalty": 1.0, "early_stopping": True}},
    ]
    results = generate_cases(model, tok, inputs, cases, eos=0, pad=pad)
    save_parity(name, inputs, tok, results)


def make_bart(tmp):
    name = "bart-cnn"
    out = os.path.join(FIXTURES, "models", name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    corpus = os.path.join(tmp, "en.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write("\n".join(EN) + "\n")
    bpe = ByteLevelBPETokenizer()
    bpe.train([corpus], vocab_size=600, min_frequency=2,
              special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    bpe.save_model(out)
    tok = BartTokenizer(os.path.join(out, "vocab.json"), os.path.join(out, "merges.txt"))
    tok.save_pretrained(out)
    vocab_size = len(tok)
    # Same fields as sshleifer/distilbart-cnn-12-6's config.json, at toy size.
    config = BartConfig(
        vocab_size=vocab_size, d_model=32, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64,
        max_position_embeddings=256, activation_function="gelu", bos_token_id=0, pad_token_id=1,
        eos_token_id=2, decoder_start_token_id=2, forced_bos_token_id=0, forced_eos_token_id=2,
        scale_embedding=False, init_std=0.3, num_beams=4, length_penalty=2.0, min_length=8,
        max_length=30, no_repeat_ngram_size=3, early_stopping=True,
    )
    torch.manual_seed(SEED + 3)
    model = BartForConditionalGeneration(config).eval()
    model.save_pretrained(out, safe_serialization=True)
    inputs = [" ".join(EN[0:4]), " ".join(EN[4:6]), EN[10], " ".join(EN[12:15])]
    cases = [
        {"name": "greedy", "settings": {"num_beams": 1, "do_sample": False, "max_length": 24,
                                        "min_length": 6, "no_repeat_ngram_size": 3}},
        {"name": "beam4", "settings": {"num_beams": 4, "do_sample": False, "max_length": 24,
                                       "min_length": 6, "no_repeat_ngram_size": 3,
                                       "length_penalty": 2.0, "early_stopping": True}},
    ]
    results = generate_cases(model, tok, inputs, cases, eos=2, pad=1)
    save_parity(name, inputs, tok, results)


def main():
    if not transformers.__version__.startswith("4.46"):
        print(f"warning: fixtures were made with transformers 4.46.x, this is {transformers.__version__}",
              file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        spm_path = train_spm(tmp)
        vocab = marian_vocab(spm_path)
        make_marian("marian-fr-en", spm_path, vocab, [FR[0], FR[5], FR[10], "Bonjour."], SEED + 1)
        make_marian("marian-en-fr", spm_path, vocab, [EN[0], EN[5], EN[10], "Good morning."], SEED + 2)
        make_bart(tmp)
    print(f"wrote tiny models and parity fixtures under {FIXTURES}")


if __name__ == "__main__":
    main()
