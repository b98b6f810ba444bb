#!/usr/bin/env python3
"""Writes tests/fixtures/real-configs/: the published config files of the three models tandem runs, the
safetensors header of weights in exactly their shapes, and the settings transformers reads from them.

For each role (opus-mt-fr-en, opus-mt-en-fr, distilbart-cnn-12-6) it copies the real `config.json` and
`generation_config.json` byte for byte, builds the model from that config with random weights (transformers
4.46), saves it with `save_pretrained` and records, in `weights-header.json`, the safetensors header that file
carries (every tensor's name, dtype, shape and byte range, as transformers wrote them), its length in bytes
and the file's size. No
weight values are committed: `tests/real_configs.rs` writes a file of that header and that size (zeros) and
imports it. For opus-mt-fr-en the size must be the Hub's `model.safetensors`, 298,705,768 bytes (asserted).

`expected.json` holds what transformers reads from the files: the generation settings `pipeline(...)` uses
(`pipeline("summarization")` applies `task_specific_params.summarization` on top of generation_config.json),
the special tokens, the input prefix a pipeline prepends, and the shapes the config gives.

Run with the repo's reference env, from the repository root, with the real files beside the clone:
    PY="$(scripts/python-env.sh)" && "$PY" scripts/make-real-config-fixtures.py [../shared/real-models]
"""
import json
import shutil
import struct
import sys
import tempfile
from pathlib import Path

import torch
import transformers
from transformers import AutoTokenizer, BartForConditionalGeneration, MarianMTModel, pipeline

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "real-configs"
HUB_SIZE_FR_EN = 298_705_768
ROLES = [
    # (folder, model class, pipeline task, fixture folder holding the same real tokenizer files)
    ("opus-mt-fr-en", MarianMTModel, "translation_fr_to_en", "stop-marian-fr-en"),
    ("opus-mt-en-fr", MarianMTModel, "translation_en_to_fr", "stop-marian-en-fr"),
    ("distilbart-cnn-12-6", BartForConditionalGeneration, "summarization", "stop-bart-cnn"),
]
SETTINGS = [
    "num_beams", "max_length", "min_length", "no_repeat_ngram_size", "length_penalty", "early_stopping",
    "bad_words_ids", "forced_bos_token_id", "forced_eos_token_id", "decoder_start_token_id", "pad_token_id",
    "eos_token_id", "bos_token_id", "renormalize_logits",
]
SHAPES = [
    "d_model", "encoder_layers", "decoder_layers", "encoder_attention_heads", "decoder_attention_heads",
    "encoder_ffn_dim", "decoder_ffn_dim", "vocab_size", "max_position_embeddings", "scale_embedding",
    "activation_function",
]


def header_of(path: Path):
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + n]), n, len(data)


def main():
    real = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "real-models")
    torch.manual_seed(0)
    for name, cls, task, tokenizer_fixture in ROLES:
        src = real / name
        dst = OUT / name
        dst.mkdir(parents=True, exist_ok=True)
        for f in ["config.json", "generation_config.json"]:
            shutil.copyfile(src / f, dst / f)
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            for f in ["config.json", "generation_config.json"]:
                shutil.copyfile(src / f, tmp / f)
            config = transformers.AutoConfig.from_pretrained(tmp)
            model = cls(config)
            model.generation_config = transformers.GenerationConfig.from_pretrained(tmp)
            model.save_pretrained(tmp / "saved", safe_serialization=True)
            header, header_len, size = header_of(tmp / "saved" / "model.safetensors")
            if name == "opus-mt-fr-en":
                assert size == HUB_SIZE_FR_EN, f"{name}: {size} bytes, the Hub's file has {HUB_SIZE_FR_EN}"
            tok = AutoTokenizer.from_pretrained(ROOT / "tests" / "fixtures" / "models" / tokenizer_fixture)
            pipe = pipeline(task, model=model, tokenizer=tok, device="cpu")
            # The pipeline generates with its own copy of the generation config, task parameters applied.
            gen = pipe.generation_config
            settings = {k: getattr(gen, k) for k in SETTINGS}
            shapes = {k: getattr(pipe.model.config, k) for k in SHAPES}
            prefix = pipe.prefix
        (dst / "weights-header.json").write_text(
            json.dumps({"file_size": size, "header_len": header_len, "header": header}, indent=1, ensure_ascii=False) + "\n"
        )
        expected = {
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "pipeline_task": task,
            "generation": settings,
            "config": shapes,
            "prefix": prefix,
            "tensors": len([k for k in header if k != "__metadata__"]),
        }
        (dst / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
        print(f"{name}: {size:,} bytes, {expected['tensors']} tensors, {settings}")


if __name__ == "__main__":
    main()
