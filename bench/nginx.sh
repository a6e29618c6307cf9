# Sourced by the benchmarks: free ports, our bench servers started until ready,
# and nginx as the peer they measure against.

# A free loopback port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_until_ready WORKDIR NAME COMMAND...: runs COMMAND with its standard input
# on a FIFO held open on fd 3 (close it, `exec 3>&-`, to stop the program) until it
# prints "ready PORT". Sets NAME_pid and NAME_port; if the program dies first, shows
# its errors and exits. Output goes to WORKDIR/NAME.out and .err.
start_until_ready() {
  local work=$1 name=$2
  shift 2
  mkfifo "$work/$name.in"
  "$@" < "$work/$name.in" > "$work/$name.out" 2> "$work/$name.err" &
  local pid=$!
  printf -v "${name}_pid" '%s' "$pid"
  exec 3> "$work/$name.in"
  for _ in $(seq 12000); do  # up to 20 min: loading a million names takes a while
    grep -q '^ready' "$work/$name.out" 2>/dev/null && break
    if ! kill -0 "$pid" 2>/dev/null; then cat "$work/$name.err"; exit 1; fi
    sleep 0.1
  done
  printf -v "${name}_port" '%s' "$(awk '/^ready/ {print $2}' "$work/$name.out")"
}

# start_nginx WORKDIR PORT SERVER_BODY: runs Debian's nginx (2 workers, access log
# off, everything under WORKDIR/nginx) with one server listening on
# 127.0.0.1:PORT whose directives are SERVER_BODY. Sets nginx_pid.
start_nginx() {
  local work=$1 port=$2 body=$3
  mkdir -p "$work/nginx"
  # A root-started nginx runs its workers as nobody, who could not use these files.
  local user=""
  if [[ $(id -u) -eq 0 ]]; then user="user root;"; fi
  cat > "$work/nginx/nginx.conf" <<CONF
$user
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
$body
  }
}
CONF
  nginx -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
  nginx_pid=$!
}
