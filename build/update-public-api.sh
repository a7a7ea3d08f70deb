#!/usr/bin/env bash
# Records a deliberate public API change in the project's PublicAPI.Unshipped.txt, so it is one command and
# shows up in review: symbols the analyzers report as undeclared (RS0016) are added, and unshipped symbols
# that no longer exist (RS0017) are removed. Shipped entries are never touched.
# Usage: build/update-public-api.sh src/RedisCaching.Core
set -euo pipefail
project_dir=${1:?usage: build/update-public-api.sh src/<Project>}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet build "$project_dir" --no-incremental -p:TreatWarningsAsErrors=false -nologo -clp:NoSummary >"$log" 2>&1 || true
unshipped="$project_dir/PublicAPI.Unshipped.txt"
{ grep -oE "RS0017: Symbol '[^']+'" "$log" || true; } | sed -E "s/RS0017: Symbol '(.*)'/\1/" | sort -u | while IFS= read -r gone; do
  grep -vxF -- "$gone" "$unshipped" >"$unshipped.tmp" || true
  mv "$unshipped.tmp" "$unshipped"
  echo "removed: $gone"
done
grep -oE "RS0016: Symbol '[^']+'" "$log" | sed -E "s/RS0016: Symbol '(.*)'/\1/" | sort -u >>"$unshipped.new" || true
if [ -s "$unshipped.new" ]; then
  { cat "$unshipped"; cat "$unshipped.new"; } | grep -v '^#nullable' | sort -u | { echo '#nullable enable'; cat; } >"$unshipped.tmp"
  mv "$unshipped.tmp" "$unshipped"
  echo "added $(wc -l <"$unshipped.new") symbol(s) to $unshipped"
else
  echo "no undeclared public symbols in $project_dir"
fi
rm -f "$unshipped.new"
