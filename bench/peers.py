#!/usr/bin/env python3
"""The peers of tandem's engines on the same models and inputs: Hugging Face transformers (f32) and CTranslate2
(float32, int8). Same contract as examples/bench_engine.rs `run`: exactly N new tokens per input for each beam
setting, one process per engine and model, peak RSS of this process, JSON result.

Usage: peers.py --engine transformers|ct2-float|ct2-int8 --hf HF_DIR --ct2 CT2_DIR --inputs inputs.json
                --key translate|summarize --new-tokens N --batch B --beams 1,4 --threads T --out result.json
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


def main():
    p = argparse.ArgumentParser()
    for a in ["--engine", "--hf", "--ct2", "--inputs", "--key", "--out"]:
        p.add_argument(a)
    p.add_argument("--new-tokens", type=int)
    p.add_argument("--batch", type=int)
    p.add_argument("--beams")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    with open(args.inputs) as f:
        inputs = json.load(f)[args.key]
    beams = [int(b) for b in args.beams.split(",")]
    bart = args.key == "summarize"
    n = args.new_tokens
    runs = []
    started = time.time()
    if args.engine == "transformers":
        import torch
        from transformers import AutoModelForSeq2SeqLM

        torch.set_num_threads(args.threads)
        model = AutoModelForSeq2SeqLM.from_pretrained(args.hf).eval()
        pad = model.config.pad_token_id
        load_s = time.time() - started
        rss_load = peak_rss_mb()
        for b in beams:
            t0 = time.time()
            ids = []
            for i in range(0, len(inputs), args.batch):
                chunk = inputs[i:i + args.batch]
                longest = max(len(r) for r in chunk)
                input_ids = torch.tensor([r + [pad] * (longest - len(r)) for r in chunk])
                mask = torch.tensor([[1] * len(r) + [0] * (longest - len(r)) for r in chunk])
                with torch.no_grad():
                    out = model.generate(input_ids=input_ids, attention_mask=mask, num_beams=b, do_sample=False,
                                         max_length=n + 1, min_length=n + 1,
                                         no_repeat_ngram_size=3 if bart else 0,
                                         length_penalty=2.0 if bart else 1.0, early_stopping=True)
                ids.extend(row.tolist() for row in out)
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
        for b in beams:
            t0 = time.time()
            results = translator.translate_batch(
                source, beam_size=b, max_batch_size=args.batch, min_decoding_length=n, max_decoding_length=n,
                no_repeat_ngram_size=3 if bart else 0, length_penalty=2.0 if bart else 1.0,
                return_end_token=True)
            seconds = time.time() - t0
            ids = [[-1] + [inv.get(t, -1) for t in r.hypotheses[0]] for r in results]
            runs.append({"beams": b, "seconds": seconds, "tokens": sum(len(r) - 1 for r in ids),
                         "items": len(inputs), "ids": ids})
    for r in runs:
        print(f"{args.engine} {args.key} beams {r['beams']}: {r['tokens']} tokens in {r['seconds']:.2f} s = "
              f"{r['tokens'] / r['seconds']:.1f} tok/s", flush=True)
    with open(args.out, "w") as f:
        json.dump({"engine": args.engine, "key": args.key, "batch": args.batch, "threads": args.threads,
                   "load_s": load_s, "rss_after_load_mb": rss_load, "peak_rss_mb": peak_rss_mb(), "runs": runs}, f)


if __name__ == "__main__":
    main()
