#!/usr/bin/env bash
# Install the Linux bundle for the current user (no root needed):
#   packaging/install-linux.sh [BUNDLE_DIR]     default BUNDLE_DIR: dist/kinxpro-desktop
#   packaging/install-linux.sh --uninstall
#
# Puts the bundle in ~/.local/opt/kinxpro-desktop, a launcher link in ~/.local/bin, the desktop
# entry in ~/.local/share/applications and the icons in ~/.local/share/icons/hicolor (XDG_DATA_HOME
# is honoured). The desktop entry and icons are taken from the bundle itself, so this works on a
# copied or unpacked dist folder too. Uninstalling leaves your data folder alone.
set -euo pipefail

APP=kinxpro-desktop
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
opt="$HOME/.local/opt/$APP"
bin="$HOME/.local/bin"
share="${XDG_DATA_HOME:-$HOME/.local/share}"
apps="$share/applications"
hicolor="$share/icons/hicolor"
sizes=(16 24 32 48 64 128 256 512)

refresh_caches() {
  if command -v update-desktop-database >/dev/null; then
    update-desktop-database -q "$apps" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null && [ -f "$hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t "$hicolor" || true
  fi
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$opt"
  rm -f "$bin/$APP" "$apps/$APP.desktop" "$hicolor/scalable/apps/$APP.svg"
  for s in "${sizes[@]}"; do rm -f "$hicolor/${s}x${s}/apps/$APP.png"; done
  refresh_caches
  echo "Removed $APP. Your data (${XDG_DATA_HOME:-$HOME/.local/share}/$APP, and the key in your keyring) is untouched."
  exit 0
fi

src="$(cd "${1:-$repo/dist/$APP}" && pwd)"
res="$src/_internal/resources"
if [ ! -x "$src/$APP" ] || [ ! -d "$res/icons" ]; then
  echo "No bundle at $src: run 'make package' first, or pass the bundle folder." >&2
  exit 1
fi

# Copy next to the old install, then swap, so a failed copy leaves the old one working.
mkdir -p "$(dirname "$opt")" "$bin" "$apps"
rm -rf "$opt.new"
cp -a "$src" "$opt.new"
rm -rf "$opt"
mv "$opt.new" "$opt"
ln -sfn "$opt/$APP" "$bin/$APP"

for s in "${sizes[@]}"; do
  install -D -m 0644 "$res/icons/$APP-$s.png" "$hicolor/${s}x${s}/apps/$APP.png"
done
install -D -m 0644 "$res/icons/$APP.svg" "$hicolor/scalable/apps/$APP.svg"

# The entry's Exec names the installed binary by absolute path (~/.local/bin may not be on PATH
# for the session that reads the menu).
sed -e "s|^Exec=.*|Exec=\"$opt/$APP\"|" -e "s|^TryExec=.*|TryExec=$opt/$APP|" \
  "$res/$APP.desktop" >"$apps/$APP.desktop"
chmod 0644 "$apps/$APP.desktop"
refresh_caches

echo "Installed $APP to $opt"
echo "  menu entry: $apps/$APP.desktop"
echo "  command:    $bin/$APP (if $bin is on your PATH)"
