#!/usr/bin/env bats
# The README's promise for a fresh machine: one `make demo` (or `make check`)
# installs the build libraries, then builds and runs.  The libraries cannot
# be removed from this machine for a test without risking it, so a stand-in
# pkg-config answers nothing until a stand-in `make deps` has "installed"
# them; from then on it is the real pkg-config.  A make that read pkg-config
# before the install links with no libraries at all, and this test fails.
#
# Run once per `make check` (scripts/check), not per build variant: it builds
# its own copy of the tree.

load ../test_helper

setup() {
	clone=$BATS_TEST_TMPDIR/sw
	mkdir -p "$clone"
	# the tree as it is, build products left out
	(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 cp --parents -t "$clone")
	fake=$BATS_TEST_TMPDIR/fake
	mkdir -p "$fake"
	real=$(command -v pkg-config)
	cat >"$fake/pkg-config" <<SH
#!/bin/sh
[ -e "$fake/installed" ] || exit 1
exec "$real" "\$@"
SH
	cat >"$fake/install-deps" <<SH
#!/bin/sh
echo "install-deps: installing: (stand-in)"
touch "$fake/installed"
SH
	chmod +x "$fake/pkg-config" "$fake/install-deps"
	unset SW_BIN SW_BROKERS MAKEFLAGS MAKELEVEL
}

@test "make without the libraries names what is missing and 'make deps', no linker noise" {
	run make -C "$clone" --no-print-directory PKG_CONFIG="$fake/pkg-config"
	assert_status 2
	[[ $output == *"build libraries missing: rdkafka libcurl libmosquitto uuid zlib libzstd snappy liblzma"* ]]
	[[ $output == *"'make deps' installs them"* ]]
	[[ $output != *"undefined reference"* ]]
	[ ! -e "$clone/bin/sw-enrich" ]
}

@test "one 'make demo' on a machine without the libraries installs them, builds and runs the demo" {
	run make -C "$clone" --no-print-directory -j2 PKG_CONFIG="$fake/pkg-config" \
		INSTALL_DEPS="$fake/install-deps" demo
	assert_status 0
	[[ $output == *"install-deps: installing: (stand-in)"* ]]
	[[ $output != *"undefined reference"* ]]
	# the funnel: one row per window and action, with counts
	grep -q '"action":"login","count":' <<<"$output"
	grep -q '"action":"done","count":' <<<"$output"
	"$clone/bin/sw-avro" --version | grep -q '^snappy [0-9]'
	"$clone/bin/sw-avro" --version | grep -q '^liblzma [0-9]'
}
