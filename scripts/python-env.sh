#!/usr/bin/env bash
# Create (once) the Python virtualenv used only by the fixture and benchmark scripts, never by the test command:
# torch 2.4.0 + transformers 4.46.3 (the reference implementation) and the tokenizer trainers.
# Prints the python to use.
#
# Where: ${TANDEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem}/pyenv
#
# CPU only, without the ~2.8 GB of nvidia wheels that PyPI's torch 2.4.0 declares: torch is installed with
# --no-deps, plus its pure-Python dependencies and the two small CUDA runtime wheels (libcudart, libcupti) that
# scripts/install-libtorch.sh also uses. torch's Python module still links libtorch_cuda.so, which names cuBLAS,
# cuDNN, cuFFT, cuRAND, cuSPARSE, NCCL and NVTX as needed libraries; for those this script compiles (with cc)
# stub libraries that define every symbol torch imports from them and do nothing (each returns 1, an error code).
# The CPU code path never calls them; torch.cuda.is_available() is False. The real nvidia wheels, if installed
# later, replace the stubs (same paths).
set -euo pipefail
CACHE="${TANDEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem}"
VENV="$CACHE/pyenv"
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c "import torch, transformers" 2>/dev/null; then
    python3 -m venv "$VENV"
    mkdir -p "$CACHE/wheels"
    "$VENV/bin/pip" install --quiet --find-links "$CACHE/wheels" --no-deps torch==2.4.0 \
        nvidia-cuda-runtime-cu12==12.1.105 nvidia-cuda-cupti-cu12==12.1.105 >&2
    # --no-warn-conflicts: pip would list the nvidia wheels torch declares and --no-deps left out
    "$VENV/bin/pip" install --quiet --no-warn-conflicts --find-links "$CACHE/wheels" filelock typing-extensions sympy networkx \
        jinja2 fsspec transformers==4.46.3 sentencepiece==0.2.0 tokenizers safetensors "numpy<2" >&2
    "$VENV/bin/python" - <<'PY' >&2
"""Compile do-nothing stand-ins for the CUDA libraries torch's Python module links but the CPU path never calls."""
import glob, os, subprocess, sys, sysconfig, tempfile
site = sysconfig.get_paths()["purelib"]
torch_lib = os.path.join(site, "torch", "lib")
# soname -> the folder of its nvidia wheel, where torch's RPATH ($ORIGIN/../../nvidia/<folder>/lib) looks for it
STUBS = {"libcublas.so.12": "cublas", "libcublasLt.so.12": "cublas", "libcudnn.so.9": "cudnn",
         "libcufft.so.11": "cufft", "libcurand.so.10": "curand", "libcusparse.so.12": "cusparse",
         "libnccl.so.2": "nccl", "libnvToolsExt.so.1": "nvtx"}
UNVERSIONED_PREFIX = {"nccl": "libnccl.so.2", "curand": "libcurand.so.10"}  # these libraries version no symbol
funcs = {s: set() for s in STUBS}
objs = {s: set() for s in STUBS}
for lib in sorted(glob.glob(os.path.join(torch_lib, "*.so*"))):
    out = subprocess.run(["readelf", "--dyn-syms", "-W", lib], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        cols = line.split()
        if len(cols) < 8 or cols[6] != "UND":
            continue
        name, _, version = cols[7].partition("@")
        soname = version.split()[0] if version else None
        if soname is None:
            soname = next((s for p, s in UNVERSIONED_PREFIX.items() if name.startswith(p)), None)
        if soname in STUBS:
            (objs if cols[3] == "OBJECT" else funcs)[soname].add(name)
for soname, folder in STUBS.items():
    dest = os.path.join(site, "nvidia", folder, "lib")
    if os.path.exists(os.path.join(dest, soname)):
        continue  # the real library is installed
    os.makedirs(dest, exist_ok=True)
    versioned = soname not in UNVERSIONED_PREFIX.values()
    with tempfile.TemporaryDirectory() as tmp:
        src, script = os.path.join(tmp, "stub.c"), os.path.join(tmp, "stub.map")
        with open(src, "w") as f:
            f.write("/* CPU-only stand-in for %s: defines what torch imports, does nothing. */\n" % soname)
            for name in sorted(funcs[soname]):
                f.write("int %s(void) { return 1; }\n" % name)
            for name in sorted(objs[soname]):
                f.write("char %s[256];\n" % name)
        with open(script, "w") as f:
            syms = sorted(funcs[soname] | objs[soname])
            body = "  global:\n" + "".join("    %s;\n" % s for s in syms) if syms else ""
            f.write("%s {\n%s  local: *;\n};\n" % (soname if versioned else "", body))
        subprocess.run(["cc", "-shared", "-fPIC", "-O0", "-w", "-o", os.path.join(dest, soname),
                        "-Wl,-soname," + soname, "-Wl,--version-script=" + script, src], check=True)
    print("python-env: stub %s (%d symbols) in %s" % (soname, len(funcs[soname]) + len(objs[soname]), dest))
PY
    "$VENV/bin/python" -c "import torch; torch.randn(2, 2) @ torch.randn(2, 2); assert not torch.cuda.is_available()" >&2
fi
echo "$VENV/bin/python"
