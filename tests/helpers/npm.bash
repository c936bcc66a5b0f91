# Independent peers from npm (kafkajs, avsc, aedes, MQTT.js, DuckDB,
# hyparquet): installed on first use into build/npm under the repository,
# then reused.  The versions are pinned here, in one place, so that every
# run tests against the same peers.
#
#   npm_peers kafkajs avsc      # install (once) and put them on NODE_PATH
#   node -e 'require("kafkajs")'
#
# A peer that cannot be installed fails the test that needs it, saying so:
# these tests are never skipped.

declare -gA NPM_PEER_VERSION=(
	[kafkajs]=2.2.4
	[avsc]=5.7.9
	[aedes]=1.2.0
	[mqtt]=5.16.0
	[@duckdb/node-api]=1.5.6-r.1
	[hyparquet]=1.33.0
	[hyparquet-compressors]=1.1.2
)

NPM_PEERS_DIR="$ROOT/build/npm"

npm_peers() {
	local dir=$NPM_PEERS_DIR name specs=() missing=()
	mkdir -p "$dir"
	for name in "$@"; do
		if [ -z "${NPM_PEER_VERSION[$name]:-}" ]; then
			echo "npm_peers: $name has no pinned version in tests/helpers/npm.bash" >&2
			return 1
		fi
		[ -f "$dir/node_modules/$name/package.json" ] ||
			specs+=("$name@${NPM_PEER_VERSION[$name]}")
	done
	if [ ${#specs[@]} -eq 0 ]; then
		# Installed, unless an install (make check fetches every peer
		# while it builds) is still writing them: then wait for it.
		flock -s "$dir/.lock" true || return 1
	else
		# Parallel bats jobs may ask at once: one installs, the others wait.
		(
			flock 9
			for s in "${specs[@]}"; do
				name=${s%@*}
				[ -f "$dir/node_modules/$name/package.json" ] || missing+=("$s")
			done
			[ ${#missing[@]} -eq 0 ] && exit 0
			[ -f "$dir/package.json" ] || echo '{"private":true}' >"$dir/package.json"
			npm install --prefix "$dir" --no-audit --no-fund --save-exact \
				--loglevel=error "${missing[@]}" >&2
		) 9>"$dir/.lock" || {
			echo "npm_peers: cannot install ${specs[*]} from the npm registry;" \
				"these peers are required, the test fails" >&2
			return 1
		}
	fi
	export NODE_PATH="$dir/node_modules"
}
