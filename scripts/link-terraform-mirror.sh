#!/usr/bin/env bash
# Terraform looks for providers in its implied local mirror (~/.terraform.d/plugins) before the registry.
# Machines without registry access keep a provider mirror somewhere else: link it there.
# Set TF_PROVIDER_MIRROR to point at a mirror explicitly; otherwise a few usual places are searched.
# Terraform walks the implied mirror without following symlinked directories above the platform level, so
# the version directories are made here and only the platform directories are links.
set -euo pipefail
target="${HOME}/.terraform.d/plugins"
for candidate in "${TF_PROVIDER_MIRROR:-}" /opt/tf-plugins /usr/share/terraform/plugins /usr/local/share/terraform/plugins; do
  [ -n "$candidate" ] && [ -d "$candidate/registry.terraform.io/hashicorp/aws" ] || continue
  [ "$(cd "$candidate" && pwd -P)" = "$(mkdir -p "$target" && cd "$target" && pwd -P)" ] && exit 0
  for platform_dir in "$candidate"/registry.terraform.io/hashicorp/aws/*/*/; do
    relative="${platform_dir#"$candidate"/}"
    relative="${relative%/}"
    mkdir -p "$target/$(dirname "$relative")"
    [ -e "$target/$relative" ] || ln -sfn "${platform_dir%/}" "$target/$relative"
  done
  echo "linked Terraform AWS provider mirror from $candidate into $target"
  exit 0
done
echo "no local AWS provider mirror found; terraform init will try the registry" >&2
