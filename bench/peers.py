#!/usr/bin/env python3
"""The peers of tandem's engines on the same models and inputs: Hugging Face transformers (f32) and CTranslate2
(float32, int8). Same contract as examples/bench_engine.rs `run`: the model folder's own generation settings (only
num_beams overridden), every row ending at its own EOS, inputs in the same length-sorted batches (16 inputs /
4,096 tokens), `--part I/N` for one of N workers side by side, peak RSS of this process, JSON result with the ids
in input order (each row starting with the decoder start token, as tandem's).

Usage: peers.py --engine transformers|ct2-float|ct2-int8 --hf HF_DIR --ct2 CT2_DIR --inputs inputs.json
                --key translate|translate_en|summarize --beams 1,4 [--part I/N] --threads T --out result.json
"""
import argparse
import json
import os
import resource
import time


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def convert(hf_dir, ct2_dir):
    """Converts the HF folder for CTranslate2 once (float32; int8 is chosen at load time)."""
    if os.path.isfile(os.path.join(ct2_dir, "model.bin")):
        return
    from ctranslate2.converters import TransformersConverter

    class Converter(TransformersConverter):
        # ctranslate2 4.8.5 passes `dtype=` to from_pretrained, which transformers 4.46 calls `torch_dtype`.
        def load_model(self, model_class, model_name_or_path, **kwargs):
            if "dtype" in kwargs:
                kwargs["torch_dtype"] = kwargs.pop("dtype")
            return model_class.from_pretrained(model_name_or_path, **kwargs)

    Converter(hf_dir).convert(ct2_dir, quantization="float32", force=True)


def own_settings(hf_dir, bart):
    """The settings tandem reads (src/generation.rs): task_specific_params.summarization for BART, then
    generation_config.json, then config.json."""
    with open(os.path.join(hf_dir, "config.json")) as f:
        config = json.load(f)
    sources = []
    if bart:
        sources.append(config.get("task_specific_params", {}).get("summarization", {}))
    path = os.path.join(hf_dir, "generation_config.json")
    if os.path.isfile(path):
        with open(path) as f:
            sources.append(json.load(f))
    sources.append(config)

    def get(key, default):
        for s in sources:
            if key in s:
                return s[key]
        return default

    return {"max_length": get("max_length", 20), "min_length": get("min_length", 0),
            "no_repeat_ngram_size": get("no_repeat_ngram_size", 0), "length_penalty": get("length_penalty", 1.0),
            "early_stopping": bool(get("early_stopping", False)),
            "decoder_start_token_id": get("decoder_start_token_id", None),
            "forced_bos_token_id": get("forced_bos_token_id", None)}


def batches(lengths, size=16, budget=4096):
    """tandem's `seq2seq::batches`: indices sorted by length, cut at `size` inputs and `budget` tokens."""
    order = sorted(range(len(lengths)), key=lambda k: (lengths[k], k))
    out, start = [], 0
    while start < len(order):
        end = start + 1
        while end < len(order) and end - start < size and (end - start + 1) * lengths[order[end]] <= budget:
            end += 1
        out.append(order[start:end])
        start = end
    return out


def main():
    p = argparse.ArgumentParser()
    for a in ["--engine", "--hf", "--ct2", "--inputs", "--key", "--out"]:
        p.add_argument(a)
    p.add_argument("--beams")
    p.add_argument("--part", default="0/1")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=16)
    args = p.parse_args()
    part, parts = (int(x) for x in args.part.split("/"))
    with open(args.inputs) as f:
        inputs = [r for i, r in enumerate(json.load(f)[args.key]) if i % parts == part]
    beams = [int(b) for b in args.beams.split(",")]
    bart = args.key == "summarize"
    s = own_settings(args.hf, bart)
    groups = batches([len(r) for r in inputs], args.batch_size)
    runs = []
    started = time.time()
    if args.engine == "transformers":
        import torch
        from transformers import AutoModelForSeq2SeqLM

        torch.set_num_threads(args.threads)
        model = AutoModelForSeq2SeqLM.from_pretrained(args.hf).eval()
        pad, eos = model.config.pad_token_id, model.config.eos_token_id
        load_s = time.time() - started
        rss_load = peak_rss_mb()
        for b in beams:
            t0 = time.time()
            ids = [None] * len(inputs)
            for group in groups:
                chunk = [inputs[k] for k in group]
                longest = max(len(r) for r in chunk)
                input_ids = torch.tensor([r + [pad] * (longest - len(r)) for r in chunk])
                mask = torch.tensor([[1] * len(r) + [0] * (longest - len(r)) for r in chunk])
                with torch.no_grad():
                    out = model.generate(input_ids=input_ids, attention_mask=mask, num_beams=b, do_sample=False,
                                         max_length=s["max_length"], min_length=s["min_length"],
                                         no_repeat_ngram_size=s["no_repeat_ngram_size"],
                                         length_penalty=s["length_penalty"], early_stopping=s["early_stopping"])
                for k, row in zip(group, out):
                    row = row.tolist()
                    # Cut after the first EOS (rows that ended before the longest are padded).
                    if eos in row[1:]:
                        row = row[:row.index(eos, 1) + 1]
                    ids[k] = row
            seconds = time.time() - t0
            runs.append({"beams": b, "seconds": seconds, "tokens": sum(len(r) - 1 for r in ids),
                         "items": len(inputs), "ids": ids})
    else:
        import ctranslate2
        from transformers import AutoTokenizer

        convert(args.hf, args.ct2)
        tok = AutoTokenizer.from_pretrained(args.hf)
        vocab = {v: k for k, v in tok.get_vocab().items()}
        compute = "int8" if args.engine == "ct2-int8" else "float32"
        t_load = time.time()
        translator = ctranslate2.Translator(args.ct2, device="cpu", compute_type=compute, intra_threads=args.threads,
                                            inter_threads=1)
        load_s = time.time() - t_load
        rss_load = peak_rss_mb()
        source = [[vocab[i] for i in row] for row in inputs]
        inv = tok.get_vocab()
        start = s["decoder_start_token_id"]
        # transformers forces distilbart's first token (`forced_bos_token_id`); CTranslate2 takes it as a prefix.
        prefix = [vocab[s["forced_bos_token_id"]]] if s.get("forced_bos_token_id") is not None else None
        for b in beams:
            t0 = time.time()
            ids = [None] * len(inputs)
            # The same batches as tandem's (CTranslate2 would also sort by length within max_batch_size).
            for group in groups:
                results = translator.translate_batch(
                    [source[k] for k in group], target_prefix=prefix and [prefix] * len(group),
                    beam_size=b, max_batch_size=len(group),
                    max_decoding_length=s["max_length"] - 1, min_decoding_length=max(0, s["min_length"] - 1),
                    no_repeat_ngram_size=s["no_repeat_ngram_size"], length_penalty=s["length_penalty"],
                    return_end_token=True)
                for k, r in zip(group, results):
                    ids[k] = [start] + [inv.get(t, -1) for t in r.hypotheses[0]]
            seconds = time.time() - t0
            runs.append({"beams": b, "seconds": seconds, "tokens": sum(len(r) - 1 for r in ids),
                         "items": len(inputs), "ids": ids})
    for r in runs:
        print(f"{args.engine} {args.key} beams {r['beams']}: {r['tokens']} tokens in {r['seconds']:.2f} s = "
              f"{r['tokens'] / r['seconds']:.1f} tok/s", flush=True)
    with open(args.out, "w") as f:
        json.dump({"engine": args.engine, "key": args.key, "batch": f"{args.batch_size} inputs / 4096 tokens, length-sorted",
                   "threads": args.threads, "part": args.part, "settings": s, "load_s": load_s,
                   "rss_after_load_mb": rss_load, "peak_rss_mb": peak_rss_mb(), "runs": runs}, f)


if __name__ == "__main__":
    main()
