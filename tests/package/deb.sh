#!/bin/bash
# The .deb that `make package` built, checked the way a person would meet it:
#  1. its control fields: package name, version, architecture, the libraries it depends on;
#  2. its files: both binaries, the desktop entry (pointing at the installed binary) and icons;
#  3. each declared dependency is installed on this machine (what dpkg checks at install);
#  4. unpacked into a scratch root, the installed binary starts in the real window under Xvfb
#     and shows the first-run page (tests/e2e/installed.e2e.mjs).
# usage: tests/package/deb.sh PACKAGE.deb
set -euo pipefail
DEB=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

field() { dpkg-deb --field "$DEB" "$1"; }
[ "$(field Package)" = "code-my-spec" ] || fail "package name is '$(field Package)'"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "architecture is '$(field Architecture)'"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/../../Cargo.toml" | head -1)
[ "$(field Version)" = "$version" ] || fail "version is '$(field Version)', Cargo.toml says $version"
[ "$(field Maintainer)" = "CodeMySpec" ] || fail "maintainer is '$(field Maintainer)'"
grep -q "Phoenix/Elixir" <<<"$(field Description)" || fail "description: $(field Description)"
depends=$(field Depends)
for lib in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1; do
  grep -q "\b$lib\b" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
ok "control: $(field Package) $(field Version) $(field Architecture); Depends: $depends"

files=$(dpkg-deb --contents "$DEB" | awk '{print $NF}' | sed 's#^\./##')
for f in usr/bin/codemyspec-desktop usr/bin/codemyspec usr/share/applications/CodeMySpec.desktop \
         usr/share/icons/hicolor/128x128/apps/codemyspec-desktop.png; do
  grep -qxF "$f" <<<"$files" || fail "the package lacks $f; it holds:"$'\n'"$files"
done
ok "files: both binaries, the desktop entry and the icons"

# Each dependency (or one of its alternatives) is installed here, as dpkg would require.
# (`dpkg --dry-run --install` cannot tell: it exits 0 with dependencies missing.)
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
IFS=',' read -ra clauses <<<"$depends"
for clause in "${clauses[@]}"; do
  met=""
  IFS='|' read -ra alternatives <<<"$clause"
  for alternative in "${alternatives[@]}"; do
    installed "$(awk '{print $1}' <<<"$alternative")" && met=1
  done
  [ -n "$met" ] || fail "this machine lacks the package's dependency$clause"
done
ok "each dependency is installed on this machine, as dpkg requires"

ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
dpkg-deb --extract "$DEB" "$ROOT"
entry="$ROOT/usr/share/applications/CodeMySpec.desktop"
exec_line=$(sed -n 's/^Exec=//p' "$entry")
[ "${exec_line%% *}" = "codemyspec-desktop" ] || fail "the desktop entry runs '$exec_line'"
grep -qx "Icon=codemyspec-desktop" "$entry" || fail "the desktop entry's icon: $(grep ^Icon "$entry")"
grep -qx "Type=Application" "$entry" || fail "the desktop entry is not an application"
ok "desktop entry: $(grep -E '^(Name|Exec|Icon|Categories)=' "$entry" | tr '\n' ' ')"

"$ROOT/usr/bin/codemyspec" --version >/dev/null || fail "the installed CLI does not run"
"$here/../e2e/run.sh" "$ROOT/usr/bin/codemyspec-desktop" "$here/../e2e/installed.e2e.mjs"
