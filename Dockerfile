# eksguard in a container: a static binary on distroless, running as a non-root user.
#
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t eksguard .
#   docker run --rm -v "$PWD:/src:ro" eksguard iac            # scans the mounted folder
#   docker run --rm -v "$PWD:/src:ro" eksguard iac --format sarif > eksguard.sarif
#
# The file works with the classic builder, BuildKit and podman/buildah: no syntax directive (that
# would fetch a frontend image at build time) and no RUN --mount. docs/shipping.md has the details.

# Both images are arguments so that a mirror or a pinned digest can be given without editing the file.
ARG GO_IMAGE=golang:1.26-alpine
ARG BASE_IMAGE=gcr.io/distroless/static-debian12:nonroot

# The build stage runs on the builder's own platform and cross-compiles: with buildx
# --platform linux/amd64,linux/arm64 nothing is emulated. BuildKit and buildah fill in BUILDPLATFORM,
# TARGETOS and TARGETARCH. The classic builder leaves them empty: it would refuse an empty
# --platform, and reads a bare "linux" as Linux on the daemon's own architecture; an empty GOOS or
# GOARCH means the host's, which is what the classic builder builds for anyway.
FROM --platform=${BUILDPLATFORM:-linux} ${GO_IMAGE} AS build
ARG TARGETOS
ARG TARGETARCH
# VERSION is what `eksguard version` prints; empty leaves the program's own default.
ARG VERSION=
WORKDIR /src
# Modules first, in their own layer, so that a source edit does not download them again.
COPY go.mod go.sum ./
RUN go mod download && go mod verify
COPY cmd ./cmd
COPY internal ./internal
RUN CGO_ENABLED=0 GOOS="${TARGETOS}" GOARCH="${TARGETARCH}" \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/eksguard/eksguard/internal/version.Version=${VERSION}" \
      -o /out/eksguard ./cmd/eksguard

# distroless static: CA certificates (for the AWS APIs), tzdata, /tmp and a nonroot user (65532),
# and no shell or package manager.
FROM ${BASE_IMAGE}
ARG VERSION=
LABEL org.opencontainers.image.title="eksguard" \
      org.opencontainers.image.description="Audits Amazon EKS clusters and infrastructure as code against the CIS Amazon EKS Benchmark" \
      org.opencontainers.image.source="https://github.com/eksguard/eksguard" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/eksguard /usr/local/bin/eksguard
# Users mount the repository to scan here; `eksguard iac` with no path scans the working directory,
# and report file names are relative to it.
WORKDIR /src
# Numeric, so that Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/eksguard"]
CMD ["--help"]
