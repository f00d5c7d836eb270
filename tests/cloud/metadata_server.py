#!/usr/bin/env python3
"""metadata_server.py -- a cloud's instance metadata service, for the test VPC.

    metadata_server.py --flavour gce|ec2|openstack --config FILE
                       [--listen ADDR:PORT] [--fault none|hang|garbage|500]
                       [--fault-count N] [--mtu N] [--hop-limit N]

Answers as Google Compute Engine's metadata server, EC2's IMDSv2 (tokens
required) or OpenStack Nova's metadata service, per instance: the instance
is the one whose address, in CONFIG, is the request's source address (as on
the real clouds, where the hypervisor or Neutron's proxy knows which VM
asked). CONFIG is JSON:

    {"10.128.0.11": {"name": "i-1",
                     "attributes": {"hermit-rank": "0"},   # strings only
                     "user_data": "text",                   # optional
                     "id": "...", "mac": "52:54:00:..",     # optional
                     "launch_index": 0},                    # optional
     ...}

and is read again when its file changes (replace it atomically). An address
not in CONFIG gets 404 everywhere. --listen ADDR:0 picks a free port; the
first line on stdout is then "listening on ADDR:PORT". One line per request
goes to stderr. See README.md beside this file for what each flavour does
and does not emulate. Standard library only.
"""

import argparse
import http.server
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from metadata_clouds import (Response, Tokens, digest, ec2_handle,  # noqa: E402
                             gce_handle, os_handle)

FLAVOURS = ("gce", "ec2", "openstack")
FAULTS = ("none", "hang", "garbage", "500")

class ConfigError(Exception):
    pass


class Instance:
    """One instance of CONFIG; ids the config leaves out are derived from
    its name, so they are stable across runs."""

    def __init__(self, ip, entry):
        if not isinstance(entry, dict):
            raise ConfigError(f"{ip}: want an object")
        unknown = set(entry) - {"name", "attributes", "user_data", "id", "mac", "launch_index"}
        if unknown:
            raise ConfigError(f"{ip}: unknown keys {sorted(unknown)}")
        self.ip = ip
        self.name = entry.get("name")
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError(f"{ip}: 'name' must be a non-empty string")
        self.attributes = entry.get("attributes", {})
        if not isinstance(self.attributes, dict) or not all(
                isinstance(k, str) and k and "/" not in k and isinstance(v, str)
                for k, v in self.attributes.items()):
            raise ConfigError(f"{ip}: 'attributes' must map names (no '/') to strings")
        self.user_data = entry.get("user_data")
        if self.user_data is not None and not isinstance(self.user_data, str):
            raise ConfigError(f"{ip}: 'user_data' must be a string")
        self.id = entry.get("id")
        if self.id is not None and not isinstance(self.id, str):
            raise ConfigError(f"{ip}: 'id' must be a string")
        self.mac = entry.get("mac")
        if self.mac is not None and not isinstance(self.mac, str):
            raise ConfigError(f"{ip}: 'mac' must be a string")
        self.launch_index = entry.get("launch_index", 0)
        if not isinstance(self.launch_index, int) or isinstance(self.launch_index, bool):
            raise ConfigError(f"{ip}: 'launch_index' must be an integer")

    def gce_id(self):  # GCE: a 19-digit decimal number
        return int(self.id) if self.id and self.id.isdigit() else \
            10 ** 18 + int.from_bytes(digest("gce", self.name)[:8], "big") % (9 * 10 ** 18)

    def ec2_id(self):  # EC2: i- and 17 hex digits
        return self.id or "i-0" + digest("ec2", self.name).hex()[:16]

    def os_uuid(self):
        return self.id or str(uuid.UUID(bytes=digest("openstack", self.name)[:16], version=4))

    def hostname_label(self):
        label = "".join(c if c.isalnum() or c == "-" else "-" for c in self.name.lower())
        return label.strip("-")[:63] or "instance"


class Config:
    """CONFIG's instances by address, read again when the file changes."""

    def __init__(self, path, log):
        self.path = path
        self.log = log
        self.lock = threading.Lock()
        self.stamp = None
        self.instances = {}
        self.reload(initial=True)

    def reload(self, initial=False):
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
            if stamp == self.stamp:
                return
            with open(self.path, encoding="utf-8") as f:
                raw = json.load(f)
            if not isinstance(raw, dict):
                raise ConfigError("want an object of addresses")
            instances = {}
            for ip, entry in raw.items():
                try:
                    socket.inet_aton(ip)
                except OSError:
                    raise ConfigError(f"'{ip}' is not an IPv4 address") from None
                instances[ip] = Instance(ip, entry)
        except (OSError, ValueError, ConfigError) as e:
            if initial:
                raise ConfigError(f"{self.path}: {e}") from None
            self.log(f"config {self.path} not read again, keeping the last one: {e}")
            return
        self.instances, self.stamp = instances, stamp
        if not initial:
            self.log(f"config {self.path} read again: {len(instances)} instances")

    def lookup(self, ip):
        with self.lock:
            self.reload()
            return self.instances.get(ip)


# ---------------------------------------------------------------- HTTP

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"             # keep-alive; HTTP/1.0 clients get a close
    server_names = {"gce": "Metadata Server for VM", "ec2": "EC2ws"}

    def version_string(self):
        return self.server_names.get(self.server.flavour) or super().version_string()

    def log_message(self, fmt, *args):
        self.server.log(f"{self.client_address[0]} {fmt % args}")

    @property
    def client_ip(self):
        return self.client_address[0]

    def set_ttl(self, ttl):
        try:
            self.connection.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
        except OSError:
            pass

    def read_body(self):
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True      # no chunked bodies here: do not reuse
        elif length:
            try:
                n = int(length)
            except ValueError:
                n = -1
            if n < 0 or n > 1 << 20:
                self.close_connection = True
            else:
                self.rfile.read(n)

    def dispatch(self):
        self.read_body()
        fault = self.server.take_fault()
        if fault == "hang":
            self.log_message('"%s" fault hang', self.requestline)
            self.hang()
            return
        if fault == "garbage":
            self.log_message('"%s" fault garbage', self.requestline)
            self.wfile.write(b"\x00\xffSSH-2.0-not-http \x1b[0m\r\n\x89PNG\r\n\x1a\n" +
                             bytes(range(256)) + b"\r\n\r\n")
            self.wfile.flush()
            self.close_connection = True
            return
        if fault == "500":
            resp = Response(500, "500 Internal Server Error\n", "text/html")
        else:
            url = urllib.parse.urlsplit(self.path)
            self.path_only = url.path or "/"
            self.raw_query = url.query
            self.query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            inst = self.server.config.lookup(self.client_ip)
            flavour = self.server.flavour
            if inst is None:                 # not an instance of this cloud
                resp = Response(404, "404 Not Found\n", "text/html")
            elif flavour == "gce":
                resp = gce_handle(self, inst, self.server.mtu)
            elif flavour == "ec2":
                resp = ec2_handle(self, inst, self.server.tokens, self.server.hop_limit)
            else:
                resp = os_handle(self, inst, self.server.mtu)
        self.send_response(resp.code)
        self.send_header("Content-Type", resp.ctype)
        self.send_header("Content-Length", str(len(resp.body)))
        for name, value in resp.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)

    def hang(self):
        """Accept and never answer: hold the connection until the client
        closes it or the server stops."""
        self.close_connection = True
        self.connection.settimeout(0.5)
        while not self.server.stopping.is_set():
            try:
                if not self.connection.recv(4096):
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = dispatch


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, args):
        self.flavour = args.flavour
        self.mtu = args.mtu
        self.hop_limit = args.hop_limit
        self.fault = args.fault
        self.fault_left = args.fault_count   # 0: every request
        self.fault_lock = threading.Lock()
        self.stopping = threading.Event()
        self.log_lock = threading.Lock()
        self.tokens = Tokens()
        self.config = Config(args.config, self.log)
        super().__init__(address, Handler)

    def log(self, text):
        with self.log_lock:
            sys.stderr.write(time.strftime("%H:%M:%S ") + text + "\n")
            sys.stderr.flush()

    def take_fault(self):
        with self.fault_lock:
            if self.fault == "none":
                return None
            if self.fault_left == 0:
                return self.fault
            self.fault_left -= 1
            if self.fault_left == 0:
                fault, self.fault = self.fault, "none"
                return fault
            return self.fault


def parse_listen(text):
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not ADDR:PORT")
    return host, int(port)


def main():
    ap = argparse.ArgumentParser(description="A cloud's instance metadata service for tests.")
    ap.add_argument("--flavour", required=True, choices=FLAVOURS)
    ap.add_argument("--config", required=True, help="JSON: instances by source address")
    ap.add_argument("--listen", type=parse_listen, default=("169.254.169.254", 80),
                    help="ADDR:PORT (default 169.254.169.254:80; port 0: any free one)")
    ap.add_argument("--fault", choices=FAULTS, default="none",
                    help="misbehave: hang (never answer), garbage (non-HTTP bytes), 500")
    ap.add_argument("--fault-count", type=int, default=0, metavar="N",
                    help="only the first N requests get the fault (default 0: all)")
    ap.add_argument("--mtu", type=int, default=1460, help="the network's MTU, as reported")
    ap.add_argument("--hop-limit", type=int, default=1,
                    help="IP TTL of EC2 token responses (http-put-response-hop-limit)")
    args = ap.parse_args()
    if args.fault_count < 0:
        ap.error("--fault-count must be >= 0")
    try:
        server = Server(args.listen, args)
    except ConfigError as e:
        print(f"metadata_server.py: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"metadata_server.py: cannot listen on {args.listen[0]}:{args.listen[1]}: {e}",
              file=sys.stderr)
        return 2
    host, port = server.server_address[:2]
    print(f"listening on {host}:{port}", flush=True)
    server.log(f"{args.flavour} metadata server on {host}:{port}, fault {args.fault}"
               f"{'' if not args.fault_count else f' x{args.fault_count}'},"
               f" {len(server.config.instances)} instances")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()
        server.server_close()
    return 0


def on_sigterm(*_):
    raise KeyboardInterrupt


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, on_sigterm)
    sys.exit(main())
