# The project's two commands on a fresh Debian/Ubuntu machine:
#   make run    installs what the app needs, builds the UI and opens the desktop window
#   make test   installs what the checks need, then runs every check and test
# and `make bench` (release build, prints figures; never run by CI).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Debian packages: Tauri's build needs (webkit2gtk & co.), the tests' real parts (elixir for
# real mix runs; erlang-dev (NIF headers: bcrypt_elixir, exqlite) and erlang-xmerl (swoosh)
# for the real Phoenix setups against ../shared/hex-mirror; postgresql for the PostgreSQL
# one, whose test starts a cluster of its own, so the package's service plays no part;
# python3 for the local git smart-HTTP server, Xvfb + WebKitWebDriver for the window, D-Bus +
# gnome-keyring for the OS keyring, dunst for notifications, python3-xlib and python3-dbus
# for the window manager's close button, keys and the tray menu in tests/e2e).
APT_BUILD := build-essential pkg-config curl file git libssl-dev libwebkit2gtk-4.1-dev \
             libayatana-appindicator3-dev librsvg2-dev libxdo-dev
APT_TEST  := elixir erlang-dev erlang-xmerl postgresql python3 xvfb xauth x11-utils \
             webkit2gtk-driver dbus dbus-x11 gnome-keyring libsecret-tools dunst keyutils \
             python3-xlib python3-dbus

CARGO ?= cargo
NPM   ?= npm

.PHONY: check-shared e2e-run help run test e2e bench bench-warm bench-app tauri-build package package-test deny deps deps-build deps-test deps-rust deps-ui deps-e2e ui-build app-build bindings check-bindings

help:
	@echo "make run    - install what the app needs, build the UI, open the desktop app"
	@echo "make test   - install what the checks need, run fmt, cargo deny, clippy, UI checks, all tests,"
	@echo "              the window tests, and the .deb package installed and started"
	@echo "make package - the .deb (target/release/bundle/deb/)"
	@echo "make bench  - release builds; prints the core's and the app's figures (not run by CI)"
	@echo "make tauri-build - the Tauri CLI's debug build from the repo root (no bundle)"

# Installs only the Debian packages that are missing (apt-get is skipped when all are there).
define apt_install
	missing=""; for p in $(1); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then echo "please install:$$missing" >&2; exit 1; fi; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  echo "installing Debian packages:$$missing"; \
	  $$sudo apt-get update -q; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

deps-build:
	@$(call apt_install,$(APT_BUILD))

deps-test: deps-build
	@$(call apt_install,$(APT_TEST))

# rust-toolchain.toml pins the Rust release. rustup downloads it where it can; on a machine
# that cannot reach rustup's servers but whose installed stable toolchain is exactly that
# release, the pinned name is pointed at it (rustup refuses to `toolchain link` a release
# name, so it is a symlink in rustup's toolchains folder). Runs from / so that the toolchain
# file does not make rustup try a download first.
deps-rust:
	@command -v $(CARGO) >/dev/null || { echo "Rust is needed: https://rustup.rs" >&2; exit 1; }
	@if command -v rustup >/dev/null; then \
	  want=$$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml); \
	  cd / && host=$$(rustc +stable -vV | sed -n 's/^host: //p'); \
	  if ! rustup toolchain list | grep -q "^$$want-$$host" \
	     && [ "$$(rustc +stable --version | cut -d' ' -f2)" = "$$want" ]; then \
	    echo "using the installed stable toolchain as the pinned Rust $$want"; \
	    ln -s "stable-$$host" "$${RUSTUP_HOME:-$$HOME/.rustup}/toolchains/$$want-$$host"; \
	  fi; \
	  cd "$(CURDIR)"; \
	  for c in rustfmt clippy; do rustup component list --installed | grep -q "^$$c" || rustup component add $$c; done; \
	fi
	@command -v cargo-deny >/dev/null || $(CARGO) install cargo-deny --version 0.20.2 --locked

# npm ci only when the lock file is newer than what is installed.
deps-ui: ui/node_modules/.package-lock.json
ui/node_modules/.package-lock.json: ui/package.json ui/package-lock.json
	$(NPM) --prefix ui ci --no-fund --no-audit
	@touch $@

# tauri-driver bridges WebDriver to Debian's WebKitWebDriver for the end-to-end tests.
deps-e2e: deps-rust tests/e2e/node_modules/.package-lock.json
	@command -v tauri-driver >/dev/null || $(CARGO) install tauri-driver --version '^2' --locked

# axe-core, which the page tests inject into the window.
tests/e2e/node_modules/.package-lock.json: tests/e2e/package.json tests/e2e/package-lock.json
	$(NPM) --prefix tests/e2e ci --no-fund --no-audit
	@touch $@

deps: deps-test deps-rust deps-ui deps-e2e

ui-build: deps-ui
	$(NPM) --prefix ui run build

run: deps-build deps-rust ui-build
	$(CARGO) run --locked --features custom-protocol --bin codemyspec-desktop

test: deps check-shared
	$(CARGO) fmt --all -- --check
	$(MAKE) --no-print-directory deny
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(NPM) --prefix ui run check
	$(NPM) --prefix ui test
	$(MAKE) --no-print-directory app-build
	tests/with-session.sh $(CARGO) test --workspace --locked --features custom-protocol
	$(MAKE) --no-print-directory check-bindings
	$(MAKE) --no-print-directory e2e-run
	$(MAKE) --no-print-directory package-test

# ../shared beside the repository (as in CI): the offline Hex repository the real Phoenix
# setups run against (tests/phoenix_cli.rs, tests/e2e/phoenix.e2e.mjs) and the RustSec
# snapshot. Checked first, so that a missing one is said at once, not minutes into the run.
HEX_MIRROR := $(CURDIR)/../shared/hex-mirror
check-shared:
	@[ -x "$(HEX_MIRROR)/use.sh" ] || { echo "the offline Hex repository is missing: $(HEX_MIRROR) (clone ../shared beside the repository)" >&2; exit 1; }
	@[ -d "$(ADVISORY_DB)/crates" ] || { echo "the RustSec snapshot is missing: $(ADVISORY_DB) (clone ../shared beside the repository)" >&2; exit 1; }

# Licenses, bans and sources of every crate (deny.toml), offline: the crates of every target
# are fetched first, as cargo-deny reads them all. Advisories, offline too, against the RustSec
# snapshot in ../shared/advisory-db: cargo-deny reads its database as a git repository in a
# folder named after the default URL under deny.toml's db-path, so a fresh copy with one
# commit goes there each run (8 MB, well under a second).
ADVISORY_DB := $(CURDIR)/../shared/advisory-db
ADVISORY_COPY := target/advisory-dbs/advisory-db-3157b0e258782691
deny: deps-rust
	$(CARGO) fetch --locked --quiet
	$(CARGO) deny -L error --offline --locked --workspace check -s licenses bans sources
	@[ -d "$(ADVISORY_DB)/crates" ] || { echo "the RustSec snapshot is missing: $(ADVISORY_DB) (clone ../shared beside the repository)" >&2; exit 1; }
	@rm -rf $(ADVISORY_COPY) && mkdir -p $(dir $(ADVISORY_COPY)) && cp -r $(ADVISORY_DB) $(ADVISORY_COPY)
	@cd $(ADVISORY_COPY) && git init -q && git add -A && \
	  git -c user.name=make -c user.email=make@localhost -c commit.gpgsign=false commit -q -m "snapshot of ../shared/advisory-db"
	$(CARGO) deny -L error --offline --locked --workspace check -s advisories

# The app with the UI embedded (what the end-to-end tests drive), and the CLI beside it.
app-build: ui-build
	$(CARGO) build --workspace --locked --features custom-protocol

# End to end in the real window under Xvfb; screenshots land in tests/e2e/out/. The second
# script runs the app beside a `codemyspec worker` and stops it with SIGTERM; the tray script
# closes the window (the heartbeat goes on), quits from the tray menu and with Ctrl+Q, and
# starts the app at login in the tray; phoenix.e2e.mjs runs one real Phoenix setup against
# ../shared/hex-mirror (a few minutes); the last visits
# every page (axe-core accessibility check, 800×600) in the light and the dark theme.
e2e: deps app-build e2e-run

e2e-run:
	tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/app.e2e.mjs
	tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/worker.e2e.mjs
	tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/tray.e2e.mjs
	tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/jobs.e2e.mjs
	BROWSER=$(CURDIR)/tests/e2e/browser-recorder.sh tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/github.e2e.mjs
	tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/polish.e2e.mjs
	tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/handmade.e2e.mjs
	tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/layout.e2e.mjs
	tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/kept.e2e.mjs
	tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/activity.e2e.mjs
	tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/perf.e2e.mjs
	tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/warm.e2e.mjs
	tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/phoenix.e2e.mjs
	THEME=light tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/pages.e2e.mjs
	THEME=dark GTK_THEME=Adwaita:dark tests/e2e/run.sh target/debug/codemyspec-desktop tests/e2e/pages.e2e.mjs

# The desktop crate's tests regenerate ui/src/bindings.ts; the committed copy must match.
# ui/src/bindings.ts is generated from the Rust commands and events, only by this command.
# Built with the test run's features, so that `make test` compiles nothing more for it.
BINDINGS_GEN = $(CARGO) run --locked --quiet --features custom-protocol -p codemyspec-desktop --example bindings --
bindings: deps-build deps-rust
	$(BINDINGS_GEN) ui/src/bindings.ts

check-bindings: deps-build deps-rust
	@tmp=$$(mktemp --suffix=.ts); trap 'rm -f "$$tmp"' EXIT; $(BINDINGS_GEN) "$$tmp"; \
	diff -u ui/src/bindings.ts "$$tmp" >&2 || { \
	  echo "ui/src/bindings.ts is stale: run 'make bindings' and commit it" >&2; exit 1; }

bench: deps-build deps-rust deps-test deps-e2e ui-build
	$(CARGO) run --locked --release -p codemyspec-bench
	$(MAKE) --no-print-directory bench-warm
	$(MAKE) --no-print-directory bench-app

# Warm setups (issue 24): a cold Phoenix setup, then a warm one, and their ratio, on the
# offline Hex repository in ../shared/hex-mirror (run outside cargo: it changes HOME).
bench-warm:
	$(CARGO) build --locked --release -p codemyspec-bench
	src-tauri/bench/warm.sh target/release/codemyspec-bench

# The app's figures in the real window: a release build with the `bench` command.
# The bare Tauri window beside it is the yardstick for start time and memory.
bench-app:
	$(CARGO) build --locked --release -p codemyspec-bench
	$(CARGO) build --locked --release -p codemyspec-bare-window --features custom-protocol
	$(CARGO) build --locked --release -p codemyspec-desktop --features custom-protocol,bench
	# The soak runs SOAK_SECONDS (default 600) after the figures: the run's time limit follows it.
	E2E_TIMEOUT=$$(( $${SOAK_SECONDS:-600} + 1200 )) E2E_OUT=$(CURDIR)/tests/e2e/out \
	  tests/e2e/run.sh target/release/codemyspec-desktop tests/e2e/bench.mjs \
	  $(CURDIR)/target/release/codemyspec-bench $(CURDIR)/target/release/codemyspec-bare-window

# The installable package: a release build of the app with the UI embedded and the CLI beside
# it, bundled as a .deb by the Tauri CLI (desktop entry, icons, the libraries it depends on),
# in target/release/bundle/deb/. package-test checks it and starts the installed app under
# Xvfb (tests/package/deb.sh).
TAURI_CLI_VERSION := 2.12.5
TAURI_CLI := npx --yes @tauri-apps/cli@$(TAURI_CLI_VERSION)

package: deps-build deps-rust deps-ui
	$(CARGO) build --locked --release -p codemyspec-cli
	$(TAURI_CLI) build --bundles deb -- --locked -p codemyspec-desktop

# The package `make test` unpacks and checks is bundled from the debug build the end-to-end
# tests already made (`tauri build --debug`, the CLI from target/debug): a release build of the
# app and the CLI, even with LTO off, took about twelve minutes of a two-core machine, and
# nothing the package test checks (control fields, files, desktop entry, the app starting, the
# CLI, the log) depends on the optimisation. `make package` alone builds the package as shipped.
PACKAGE_TEST_CONFIG := {"bundle":{"linux":{"deb":{"files":{"/usr/bin/codemyspec":"target/debug/codemyspec"}}}}}
package-test: deps
	$(CARGO) build --locked -p codemyspec-cli
	$(TAURI_CLI) build --debug --bundles deb --config '$(PACKAGE_TEST_CONFIG)' -- --locked -p codemyspec-desktop
	tests/package/deb.sh target/debug/bundle/deb/CodeMySpec_$(VERSION)_$(DEB_ARCH).deb

VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
DEB_ARCH = $(shell dpkg --print-architecture)

# The Tauri CLI (npm @tauri-apps/cli, fetched by npx) building from the repository root.
# It is not a ui/ dev dependency: its per-platform packages do not survive this machine's
# lock-file settings, which breaks `npm ci`.
tauri-build: deps-build deps-rust deps-ui
	$(TAURI_CLI) build --debug --no-bundle
