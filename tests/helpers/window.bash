# Helpers for tests/30-sw-window.bats.

WIN="$FIXTURES/window"
export WIN

# Prints the value of a counter of the --stats line found on stdin.
stats_field() {
	grep '"tool":"sw-window"' | jq -r ".$1"
}
