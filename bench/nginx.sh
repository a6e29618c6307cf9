# Sourced by the benchmarks: nginx as the peer they measure against.

# A free loopback port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

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
