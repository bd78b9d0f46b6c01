# Sourced by the benchmark scripts: start_quiverd TMPDIR QUIVERD POOL CONFIG
# starts QUIVERD on POOL with CONFIG on an ephemeral 127.0.0.1 port in the
# background, its output in TMPDIR/quiverd.{out,err}, and waits (up to 20 s)
# until it prints its address. Sets `pid` and `port`; exits the script with
# quiverd's stderr if it dies or never listens.
start_quiverd() {
  local tmp=$1 quiverd=$2 pool=$3 config=$4
  # The files exist before the background job opens them: the loop below
  # reads quiverd.out at once.
  : > "$tmp/quiverd.out"
  : > "$tmp/quiverd.err"
  "$quiverd" --pool "$pool" --listen 127.0.0.1:0 --config "$config" \
    > "$tmp/quiverd.out" 2> "$tmp/quiverd.err" &
  pid=$!
  port=
  local _
  for _ in $(seq 1 400); do
    port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/quiverd.out" | head -n 1)
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/quiverd.err" >&2; exit 1; }
    sleep 0.05
  done
  echo "quiverd did not start within 20 s" >&2
  cat "$tmp/quiverd.err" >&2
  exit 1
}
