# Source this file (bash) to build tandem: `source scripts/libtorch-env.sh`.
# - A LIBTORCH or LIBTORCH_USE_PYTORCH you set yourself (a CUDA build, a system libtorch) is respected as is.
# - Otherwise a CPU libtorch 2.4.0 is assembled from PyPI wheels once (scripts/install-libtorch.sh), cached under
#   ~/.cache/tandem, and LIBTORCH points at it. The PyPI build uses the pre-C++11 ABI, hence LIBTORCH_CXX11_ABI=0.
if [[ -z "${LIBTORCH:-}" && -z "${LIBTORCH_USE_PYTORCH:-}" ]]; then
    _tandem_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    if LIBTORCH="$("$_tandem_dir/install-libtorch.sh")"; then
        export LIBTORCH
        export LIBTORCH_CXX11_ABI=0
    else
        echo "libtorch-env: could not install libtorch; set LIBTORCH to an existing libtorch 2.4.0" >&2
        return 1 2>/dev/null || exit 1
    fi
    unset _tandem_dir
fi
