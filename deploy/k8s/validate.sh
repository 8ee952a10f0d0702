#!/usr/bin/env bash
# Renders every overlay with kustomize and validates the result offline with kubeconform:
#   - Kubernetes kinds against the JSON schemas of Kubernetes v${K8S_VERSION} (strict: unknown
#     fields fail), vendored by the PyPI package kubernetes-validate (wheel pinned by sha256);
#   - CloudNativePG `Cluster` and `ScheduledBackup` against the CRDs of cloudnative-pg ${CNPG_VERSION} (Go module, via the
#     Go module proxy; checksum-verified by go), converted by crd-to-jsonschema.js;
#   - Strimzi kinds (Kafka, KafkaNodePool, KafkaTopic, KafkaUser) are SKIPPED here: no registry reachable from
#     CI ships their CRDs as data. tools/deploy/k8s-settings.int.spec.ts checks their structure.
#   - Prometheus Operator `PodMonitor`, Gateway API `HTTPRoute` and cert-manager `Certificate` are SKIPPED for the same reason
#     (their CRDs are not in the Kubernetes schemas; the test checks their structure).
# Tools go to .cache/deploy/ (idempotent; a warm cache does no network call).
#
# Usage: deploy/k8s/validate.sh                 render + validate every overlay
#        deploy/k8s/validate.sh --setup          only install the tools, print their paths
#        deploy/k8s/validate.sh --render OVERLAY render one overlay to stdout
#        deploy/k8s/validate.sh --validate FILE  validate an already rendered file
#        deploy/k8s/validate.sh --check-digests OVERLAY|FILE
#                                                 fail unless every image is pinned by @sha256 digest
#                                                 (for a release pipeline, after `kustomize edit set image`)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
K8S_DIR="$ROOT/deploy/k8s"
CACHE="$ROOT/.cache/deploy"
BIN="$CACHE/bin"

KUSTOMIZE_VERSION=v5.6.0
KUBECONFORM_VERSION=v0.6.7
K8S_VERSION=1.32.0
KV_PKG_VERSION=1.37.0   # kubernetes-validate: schemas for Kubernetes 1.25 .. 1.37
KV_WHEEL_SHA256=85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9
CNPG_VERSION=v1.25.1
OVERLAYS=(local production local-eventstoredb production-eventstoredb)
STEP_TIMEOUT="${VALIDATE_STEP_TIMEOUT:-150}"

SCHEMAS="$CACHE/schemas/kubernetes-v$K8S_VERSION-strict"
CRDS="$CACHE/schemas/crds-cnpg-$CNPG_VERSION"

die() { printf 'validate.sh: %s\n' "$*" >&2; exit 1; }
log() { printf 'validate.sh: %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required ($2)"; }
bounded() { timeout --kill-after=10 "$STEP_TIMEOUT" "$@"; }

go_tool() { # name module version
  local name=$1 module=$2 version=$3 stamp="$BIN/.$1.version"
  if [[ -x "$BIN/$name" && "$(cat "$stamp" 2>/dev/null)" == "$version" ]]; then return; fi
  need go "Go toolchain, to build $name from the Go module proxy"
  log "installing $name $version (go install; about a minute on a cold cache)"
  mkdir -p "$BIN"
  (cd "$CACHE" && GOBIN="$BIN" GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0 bounded go install "$module@$version") \
    || die "go install $module@$version failed or took more than ${STEP_TIMEOUT}s"
  echo "$version" >"$stamp"
}

k8s_schemas() {
  [[ -f "$SCHEMAS/.complete" ]] && return
  need python3 "to fetch and unpack the kubernetes-validate wheel"
  log "fetching Kubernetes v$K8S_VERSION JSON schemas (PyPI kubernetes-validate==$KV_PKG_VERSION)"
  local tmp; tmp="$(mktemp -d)"
  bounded python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "kubernetes-validate==$KV_PKG_VERSION" \
    || die "pip download kubernetes-validate==$KV_PKG_VERSION failed"
  local wheel; wheel="$(ls "$tmp"/kubernetes_validate-*.whl)"
  echo "$KV_WHEEL_SHA256  $wheel" | sha256sum -c --quiet - || die "kubernetes-validate wheel: sha256 mismatch"
  rm -rf "$SCHEMAS" && mkdir -p "$SCHEMAS"
  # Unpack the strict schemas of one version; their $refs point at /api/_definitions.json (the
  # package's own base URI): make them absolute file:// URIs kubeconform can follow offline.
  python3 - "$wheel" "$SCHEMAS" "v$K8S_VERSION-local-strict" <<'PY'
import sys, zipfile, os
wheel, out, flavour = sys.argv[1:]
prefix = f"kubernetes_validate/kubernetes-json-schema/{flavour}/"
ref_from, ref_to = '"/api/_definitions.json#', f'"file://{out}/_definitions.json#'
n = 0
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and name.endswith(".json"):
            text = z.read(name).decode("utf-8").replace(ref_from, ref_to)
            with open(os.path.join(out, name[len(prefix):]), "w", encoding="utf-8") as f:
                f.write(text)
            n += 1
if n < 100 or not os.path.exists(os.path.join(out, "_definitions.json")):
    sys.exit(f"{flavour}: only {n} schemas in the wheel")
PY
  rm -rf "$tmp"
  touch "$SCHEMAS/.complete"
}

crd_schemas() {
  # Converted: Cluster and ScheduledBackup (the kinds the overlays use). The stamp names them, so a
  # cache from before a kind was added is converted again (from the Go module cache: no network).
  local kinds="clusters scheduledbackups"
  [[ "$(cat "$CRDS/.complete" 2>/dev/null)" == "$kinds" ]] && return
  need go "Go toolchain, to fetch the CloudNativePG CRDs from the Go module proxy"
  need node "to convert CRDs to JSON schema"
  log "fetching CloudNativePG $CNPG_VERSION CRDs (go mod download)"
  local dir
  dir="$(cd "$CACHE" && GOTOOLCHAIN=local GOFLAGS=-mod=mod bounded go mod download -json "github.com/cloudnative-pg/cloudnative-pg@$CNPG_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" || die "go mod download cloudnative-pg@$CNPG_VERSION failed"
  [[ -n "$dir" && -d "$dir/config/crd/bases" ]] || die "cloudnative-pg@$CNPG_VERSION: no config/crd/bases in the module"
  rm -rf "$CRDS"
  local files=() kind
  for kind in $kinds; do files+=("$dir/config/crd/bases/postgresql.cnpg.io_$kind.yaml"); done
  node "$K8S_DIR/crd-to-jsonschema.js" "$CRDS" "${files[@]}"
  echo "$kinds" >"$CRDS/.complete"
}

setup() {
  mkdir -p "$CACHE"
  need timeout "coreutils"
  go_tool kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION"
  go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
  k8s_schemas
  crd_schemas
}

render() { "$BIN/kustomize" build "$K8S_DIR/overlays/$1" || die "kustomize build overlays/$1 failed"; }

validate_file() { # file label
  "$BIN/kubeconform" -strict -summary -kubernetes-version "$K8S_VERSION" \
    -schema-location "$SCHEMAS/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$CRDS/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -skip Kafka,KafkaNodePool,KafkaTopic,KafkaUser,PodMonitor,HTTPRoute,Certificate \
    "$1" || die "$2: schema validation failed (Kubernetes v$K8S_VERSION, CloudNativePG $CNPG_VERSION)"
}

# Every container image (and CloudNativePG's imageName) of a rendered file, one per line.
images_of() { sed -n -E 's/^[[:space:]]*-?[[:space:]]*(image|imageName):[[:space:]]*"?([^"[:space:]]+)"?.*$/\2/p' "$1" | sort -u; }

check_digests() { # file label
  local unpinned
  unpinned="$(images_of "$1" | grep -v -E '@sha256:[0-9a-f]{64}$' || true)"
  [[ -z "$unpinned" ]] || die "$2: images not pinned by digest (image@sha256:<64 hex>):
$unpinned"
  log "$2: every image is pinned by digest ($(images_of "$1" | wc -l) images)"
}

case "${1:-all}" in
  --setup)
    setup
    printf 'KUSTOMIZE=%s\nKUBECONFORM=%s\nK8S_VERSION=%s\nCNPG_VERSION=%s\n' "$BIN/kustomize" "$BIN/kubeconform" "$K8S_VERSION" "$CNPG_VERSION" ;;
  --render)
    [[ $# -eq 2 ]] || die "usage: validate.sh --render OVERLAY"
    setup; render "$2" ;;
  --validate)
    [[ $# -eq 2 && -f "$2" ]] || die "usage: validate.sh --validate FILE"
    setup; validate_file "$2" "$2" ;;
  --check-digests)
    [[ $# -eq 2 ]] || die "usage: validate.sh --check-digests OVERLAY|FILE"
    if [[ -f "$2" ]]; then check_digests "$2" "$2"; else
      setup; out="$(mktemp)"; trap 'rm -f "$out"' EXIT
      render "$2" >"$out"; check_digests "$out" "overlays/$2"
    fi ;;
  all)
    setup
    out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
    for overlay in "${OVERLAYS[@]}"; do
      log "overlay $overlay"
      render "$overlay" >"$out/$overlay.yaml"
      validate_file "$out/$overlay.yaml" "overlays/$overlay"
    done
    log "all overlays valid (Kubernetes v$K8S_VERSION strict; CloudNativePG $CNPG_VERSION; Strimzi, PodMonitor, HTTPRoute, Certificate kinds skipped)" ;;
  *) die "unknown argument: $1 (see the header of this script)" ;;
esac
