#!/usr/bin/env bash
# Assemble a CPU-only libtorch 2.4.0 (what tch 0.17 / rust-bert 0.23 need) from PyPI wheels,
# cached outside the repository, and print the directory to use as LIBTORCH.
#
#   scripts/install-libtorch.sh            # installs if needed, prints the path on stdout
#
# Where: ${TANDEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem}/libtorch-2.4.0-cpu
# Why wheels: no registry reachable offline ships libtorch itself, but the PyPI torch wheel contains one.
# Only libtorch_cpu is taken (plus the two CUDA runtime libraries it names as needed), so tch links CPU-only.
set -euo pipefail

VERSION=2.4.0
CACHE="${TANDEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem}"
DEST="$CACHE/libtorch-$VERSION-cpu"
STAMP="$DEST/.complete"

if [[ -f "$STAMP" ]]; then
    echo "$DEST"
    exit 0
fi

PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "install-libtorch: python3 with pip is needed to download the torch wheel from PyPI" >&2
    exit 1
fi

WHEELS="$CACHE/wheels"
mkdir -p "$WHEELS"
echo "install-libtorch: downloading torch==$VERSION wheels from PyPI into $WHEELS (~810 MB, once)" >&2
"$PYTHON" -m pip download --no-deps --quiet --dest "$WHEELS" \
    "torch==$VERSION" "nvidia-cuda-runtime-cu12==12.1.105" "nvidia-cuda-cupti-cu12==12.1.105" >&2

TMP="$(mktemp -d "$CACHE/libtorch-tmp.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
chmod 755 "$TMP"
echo "install-libtorch: assembling $DEST" >&2
"$PYTHON" - "$WHEELS" "$TMP" "$VERSION" <<'PY'
import glob, os, sys, zipfile
wheels, out, version = sys.argv[1], sys.argv[2], sys.argv[3]
lib = os.path.join(out, "lib"); os.makedirs(lib, exist_ok=True)
def one(pattern):
    found = sorted(glob.glob(os.path.join(wheels, pattern)))
    if not found:
        sys.exit(f"install-libtorch: no wheel matches {pattern} in {wheels}")
    return found[-1]
with zipfile.ZipFile(one(f"torch-{version}-*.whl")) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if name.startswith("torch/include/"):
            z.extract(name, out)
        elif name.startswith("torch/lib/") and (
            base in ("libtorch_cpu.so", "libc10.so") or base.startswith("libgomp")
        ):
            z.extract(name, out)
for pattern, wanted in (("nvidia_cuda_runtime_cu12-*.whl", "libcudart.so.12"),
                        ("nvidia_cuda_cupti_cu12-*.whl", "libcupti.so.12")):
    with zipfile.ZipFile(one(pattern)) as z:
        for name in z.namelist():
            if os.path.basename(name) == wanted:
                with z.open(name) as src, open(os.path.join(lib, wanted), "wb") as dst:
                    dst.write(src.read())
# flatten torch/include -> include, torch/lib/* -> lib
os.rename(os.path.join(out, "torch", "include"), os.path.join(out, "include"))
for f in os.listdir(os.path.join(out, "torch", "lib")):
    os.rename(os.path.join(out, "torch", "lib", f), os.path.join(lib, f))
os.symlink("libtorch_cpu.so", os.path.join(lib, "libtorch.so"))
with open(os.path.join(out, "build-version"), "w") as f:
    f.write(version + "\n")
PY
rm -rf "$TMP/torch"
rm -rf "$DEST"
mv "$TMP" "$DEST"
trap - EXIT
touch "$STAMP"
echo "$DEST"
