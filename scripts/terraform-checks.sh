#!/usr/bin/env bash
# The Terraform checks of `make test` (target test-terraform), offline and in well under a minute:
#   1. terraform fmt -check over the repository;
#   2. terraform init -backend=false + terraform validate for the module and every directory in examples/;
#   3. terraform test for the module: tests/*.tftest.hcl, plan-only runs against a mocked AWS provider.
# The AWS provider comes from the implied local mirror (scripts/link-terraform-mirror.sh). Nothing is left in
# the repository: working directories live in a temporary directory, and lock files that init writes next to
# the configurations are removed again (ones that were there before are kept).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/link-terraform-mirror.sh

# A CLI configuration file that does not exist only makes every command print a warning.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -f "$TF_CLI_CONFIG_FILE" ]; then
  unset TF_CLI_CONFIG_FILE
fi
export TF_IN_AUTOMATION=1 TF_INPUT=0
color=()
[ -t 1 ] || color=(-no-color)

configs=(.)
for dir in examples/*/; do
  [ -n "$(find "$dir" -maxdepth 1 -name '*.tf' -print -quit)" ] && configs+=("${dir%/}")
done

work="$(mktemp -d "${TMPDIR:-/tmp}/jit-access-terraform-checks.XXXXXX")"
created_locks=()
for config in "${configs[@]}"; do
  [ -e "$config/.terraform.lock.hcl" ] || created_locks+=("$config/.terraform.lock.hcl")
done
jobs_started=()
cleanup() {
  for pid in "${jobs_started[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -f "${created_locks[@]}"
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v start="$1" -v end="$(now)" 'BEGIN { printf "%.1f s", end - start }'; }
step() { printf '\n==> %s\n' "$*"; }
name_of() {
  if [ "$1" = "." ]; then echo module; else echo "${1//\//_}"; fi
}

# init (quietly, unless it fails) and validate one configuration, with its own data directory.
check_config() {
  local config="$1" t
  t="$(now)"
  export TF_DATA_DIR="$work/$(name_of "$config")"
  if ! output="$(terraform -chdir="$config" init -backend=false "${color[@]}" 2>&1)"; then
    printf '%s\n' "$output"
    return 1
  fi
  terraform -chdir="$config" validate "${color[@]}" || return 1
  echo "validated in $(elapsed "$t")"
}

started="$(now)"

step "terraform fmt -check -recursive"
t="$(now)"
terraform fmt -check -recursive -diff "${color[@]}" .
echo "formatted in $(elapsed "$t")"

# The examples are validated in the background while the module is validated and tested: each check
# spends most of its time starting the provider, so this about halves the wall-clock time.
for config in "${configs[@]:1}"; do
  check_config "$config" >"$work/$(name_of "$config").log" 2>&1 &
  jobs_started+=("$!")
done

step "terraform init -backend=false + validate: module (repository root)"
check_config .

step "terraform test: module, tests/*.tftest.hcl (plan runs against a mocked AWS provider)"
t="$(now)"
TF_DATA_DIR="$work/module" terraform test -test-directory=tests "${color[@]}"
echo "tested in $(elapsed "$t")"

failed=0
for i in "${!jobs_started[@]}"; do
  config="${configs[$((i + 1))]}"
  step "terraform init -backend=false + validate: $config"
  if ! wait "${jobs_started[$i]}"; then
    failed=1
  fi
  cat "$work/$(name_of "$config").log"
done
jobs_started=()
if [ "$failed" -ne 0 ]; then
  echo "an example does not validate (see above)" >&2
  exit 1
fi

printf '\nTerraform checks passed: fmt, validate of the module and %d examples, terraform test, in %s.\n' \
  "$((${#configs[@]} - 1))" "$(elapsed "$started")"
