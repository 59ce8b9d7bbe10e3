#!/usr/bin/env bash
# --version, the bash completion script (sourced in a real bash, completions asked as bash asks
# them) and the man page generated from --help.
set -euo pipefail
cli=$1 generated=$2

version=$("$cli" --version)
[[ $version =~ ^orgledger\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "bad --version: $version"; exit 1; }

# complete WORDS...: what bash would offer for the last word.
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _orgledger; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$generated/orgledger.bash" "$@"
}
expect() {  # expect "WANT" WORDS...: WANT is among the offers
  local want=$1; shift
  local got; got=$(complete_words "$@")
  grep -qx -- "$want" <<<"$got" || { echo "completing '$*': wanted '$want', got: $got"; exit 1; }
}
refuse() {  # refuse "WORD" WORDS...: WORD is not offered
  local word=$1; shift
  local got; got=$(complete_words "$@")
  ! grep -qx -- "$word" <<<"$got" || { echo "completing '$*' offered '$word'"; exit 1; }
}
"$cli" completion bash | cmp - "$generated/orgledger.bash"
expect members orgledger mem
expect --version orgledger --ver
expect --as-of orgledger members acme --as
expect --server orgledger members acme --ser
refuse --server orgledger serve --ser            # serve is local only
expect breached orgledger abuse --status b
expect csv orgledger export --format c
expect create orgledger token c
expect inclusion orgledger proof i
expect --tls-cert orgledger serve --tls
expect "$generated/orgledger.bash" orgledger submit --file "$generated/orgledger.b"

man_page="$generated/orgledger.1"
if [[ -f $man_page ]]; then
  grep -q '^\.TH ORGLEDGER "1"' "$man_page"
  text=$(MANWIDTH=200 man -l "$man_page" 2>/dev/null || groff -man -Tutf8 "$man_page")
  for word in "who-can --org O --action A" "ORGLEDGER_TOKEN" "/etc/default/orgledger" "Exit codes"; do
    grep -qF -- "$word" <<<"$text" || { echo "man page lacks: $word"; exit 1; }
  done
else
  echo "no man page (help2man missing)"; exit 1
fi
echo ok
