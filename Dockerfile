# tandem in a container: a CPU-only build, models mounted at run time (never baked in).
#
#   docker build -t tandem .
#   docker run --rm -v "$PWD/models:/models:ro" -v "$PWD/data:/data" -v tandem-cache:/cache \
#       tandem brief /data/articles --out /data/brief --date 2025-11-10
#
# Volumes: /models (read-only; see `tandem models`), /data (articles in, briefs out), /cache (model outputs).
# For sharded runs on Kubernetes or Slurm see README "Scaling out" and deploy/.

# ---- builder: Rust + a CPU libtorch 2.4.0 assembled from the PyPI torch wheel, as scripts/install-libtorch.sh does
FROM rust:1-bookworm AS builder
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-pip \
 && rm -rf /var/lib/apt/lists/*
# install-libtorch.sh puts libtorch under $TANDEM_CACHE/libtorch-2.4.0-cpu; build.rs embeds that lib path as the
# binary's runpath, so the runtime stage copies it to the very same path.
ENV TANDEM_CACHE=/opt/tandem
WORKDIR /src
COPY scripts/install-libtorch.sh scripts/libtorch-env.sh scripts/
# Its own layer: the ~810 MB download is redone only when these scripts change. The wheels are not kept.
RUN scripts/install-libtorch.sh && rm -rf /opt/tandem/wheels
COPY Cargo.toml Cargo.lock build.rs ./
COPY src src
COPY models/models.toml models/models.toml
COPY README.md ./
RUN . scripts/libtorch-env.sh && cargo build --release --locked --bin tandem \
 && readelf -d target/release/tandem | grep '/opt/tandem/libtorch-2.4.0-cpu/lib' >/dev/null \
 && cp target/release/tandem /usr/local/bin/tandem

# ---- runtime: the binary and the libtorch shared libraries it needs, nothing else
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libstdc++6 libgcc-s1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 tandem \
 && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/tandem tandem \
 && mkdir -p /models /data /cache \
 && chown tandem:tandem /data /cache
COPY --from=builder /opt/tandem/libtorch-2.4.0-cpu/lib /opt/tandem/libtorch-2.4.0-cpu/lib
COPY --from=builder /usr/local/bin/tandem /usr/local/bin/tandem
# The runpath already points at the libraries; LD_LIBRARY_PATH is the fallback should the binary be moved.
ENV LD_LIBRARY_PATH=/opt/tandem/libtorch-2.4.0-cpu/lib \
    TANDEM_MODELS=/models \
    TANDEM_CACHE_DIR=/cache
# Fails the build if a shared library is missing.
RUN tandem --version
USER 10001:10001
WORKDIR /data
VOLUME ["/models", "/data", "/cache"]
ENTRYPOINT ["tandem"]
CMD ["--help"]
