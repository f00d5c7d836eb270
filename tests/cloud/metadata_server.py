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
import base64
import hashlib
import http.server
import json
import os
import secrets
import socket
import sys
import threading
import time
import urllib.parse
import uuid

FLAVOURS = ("gce", "ec2", "openstack")
FAULTS = ("none", "hang", "garbage", "500")

# Fixed facts of the emulated clouds (the lab's one "project", zone, ...).
GCE_PROJECT_ID = "hermit-test"
GCE_PROJECT_NUMBER = 614528349071
GCE_ZONE = "us-central1-a"
GCE_MACHINE_TYPE = "e2-standard-2"
EC2_REGION = "us-east-1"
EC2_ZONE = "us-east-1a"
EC2_INSTANCE_TYPE = "c5.large"
EC2_TOKEN_TTL_MAX = 21600          # six hours, IMDSv2's limit
OS_ZONE = "nova"
OS_PROJECT_ID = "6c4a1bd5f25b4d3c8f1b2a4b9e0d7c21"
OS_VERSIONS = ["2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30",
               "2016-10-06", "2017-02-22", "2018-08-27", "2019-04-04", "2020-10-14"]
EC2_VERSIONS = ["1.0", "2007-01-19", "2007-03-01", "2007-08-29", "2007-10-10", "2007-12-15",
                "2008-02-01", "2008-09-01", "2009-04-04", "2011-01-01", "2011-05-01",
                "2012-01-12", "2014-02-25", "2014-11-05", "2015-10-20", "2016-04-19",
                "2016-06-30", "2016-09-02", "2018-03-28", "2018-08-17", "2018-09-24",
                "2019-10-01", "2020-10-27", "2021-01-03", "2021-03-23", "2021-07-15",
                "2022-09-24", "2024-04-11"]

GCE_404 = ("<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
           "  <title>Error 404 (Not Found)!!1</title>\n"
           "  <p><b>404.</b> <ins>That\u2019s an error.</ins>\n"
           "  <p>The requested URL <code>{path}</code> was not found on this server."
           "  <ins>That\u2019s all we know.</ins>\n")
EC2_ERROR = ('<?xml version="1.0" encoding="iso-8859-1"?>\n'
             '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n'
             '\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
             '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n'
             ' <head>\n  <title>{code} - {reason}</title>\n </head>\n'
             ' <body>\n  <h1>{code} - {reason}</h1>\n </body>\n</html>\n')


class ConfigError(Exception):
    pass


def digest(*parts):
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).digest()


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


class Response:
    def __init__(self, code, body=b"", ctype="text/plain", headers=None):
        self.code = code
        self.body = body.encode() if isinstance(body, str) else body
        self.ctype = ctype
        self.headers = headers or []


# ---------------------------------------------------------------- GCE
#
# A tree of dicts (directories), lists (directories of 0/, 1/, ...) and
# scalars (values); GET on a directory lists it, ?recursive=true gives it as
# JSON with camelCase names (attribute names as they are), ?alt=text|json
# picks the format.

class JsonValue(list):
    """A value GCE gives as JSON (instance/tags), not a directory."""


def gce_tree(inst, mtu):
    prefix = inst.ip.rsplit(".", 1)[0]
    interface = {
        "access-configs": [],
        "gateway": f"{prefix}.1",
        "ip": inst.ip,
        "mac": inst.mac or "",
        "mtu": mtu,
        "network": f"projects/{GCE_PROJECT_NUMBER}/networks/default",
        "subnetmask": "255.255.255.0",
    }
    return {
        "instance": {
            "attributes": dict(inst.attributes),
            "cpu-platform": "Intel Cascade Lake",
            "description": "",
            "hostname": f"{inst.hostname_label()}.{GCE_ZONE}.c.{GCE_PROJECT_ID}.internal",
            "id": inst.gce_id(),
            "image": f"projects/{GCE_PROJECT_ID}/global/images/hermit",
            "machine-type": f"projects/{GCE_PROJECT_NUMBER}/machineTypes/{GCE_MACHINE_TYPE}",
            "name": inst.name,
            "network-interfaces": [interface],
            "tags": JsonValue(),
            "zone": f"projects/{GCE_PROJECT_NUMBER}/zones/{GCE_ZONE}",
        },
        "project": {
            "attributes": {},
            "numeric-project-id": GCE_PROJECT_NUMBER,
            "project-id": GCE_PROJECT_ID,
        },
    }


def is_directory(node):
    return isinstance(node, (dict, list)) and not isinstance(node, JsonValue)


def camel(name):
    head, *rest = name.split("-")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def gce_json(node, keep_names=False):
    """?recursive=true: GCE's JSON names are camelCase, except attributes'."""
    if isinstance(node, dict):
        return {(k if keep_names else camel(k)):
                gce_json(v, not keep_names and k == "attributes") for k, v in node.items()}
    if isinstance(node, list):
        return [gce_json(v) for v in node]
    return node


def gce_text_lines(node, prefix=""):
    """?recursive=true&alt=text: one "path value" line per value."""
    if not is_directory(node):
        value = json.dumps(node) if isinstance(node, JsonValue) else str(node)
        return [f"{prefix} {value}" if prefix else value]
    items = sorted(node.items()) if isinstance(node, dict) else \
        [(str(i), v) for i, v in enumerate(node)]
    lines = []
    for k, v in items:
        lines += gce_text_lines(v, f"{prefix}/{k}" if prefix else k)
    return lines


def gce_listing(node):
    if isinstance(node, dict):
        return [n + "/" if is_directory(node[n]) else n for n in sorted(node)]
    return [f"{i}/" for i in range(len(node))]


def gce_handle(req, inst, mtu):   # inst: never None
    headers = [("Metadata-Flavor", "Google")]
    path, query = req.path_only, req.query
    if req.headers.get("X-Forwarded-For") is not None:
        return Response(403, "Request forbidden: X-Forwarded-For header is not allowed.\n",
                        "text/html; charset=UTF-8", headers)
    if path == "/":
        return Response(200, "computeMetadata/\n", "application/text", headers)
    if req.headers.get("Metadata-Flavor") != "Google":
        return Response(403, 'Missing required header "Metadata-Flavor": "Google"\n',
                        "text/html; charset=UTF-8", headers)
    if req.command not in ("GET", "HEAD"):
        return Response(405, "Method not allowed\n", "text/html; charset=UTF-8",
                        headers + [("Allow", "GET, HEAD")])
    not_found = Response(404, GCE_404.format(path=path), "text/html; charset=UTF-8", headers)
    for bad in ("wait_for_change", "last_etag", "timeout_sec"):
        if bad in query:
            return Response(400, f"{bad} is not emulated by this metadata server\n",
                            "text/html; charset=UTF-8", headers)
    alt = query.get("alt", [None])[-1]
    if alt not in (None, "json", "text"):
        return Response(400, "Invalid value for alt; must be 'json' or 'text'\n",
                        "text/html; charset=UTF-8", headers)
    recursive = query.get("recursive", ["false"])[-1].lower() == "true"

    parts = path.split("/")[1:]              # "", "computeMetadata", "v1", ...
    is_dir = path.endswith("/")
    if is_dir:
        parts = parts[:-1]
    root = {"computeMetadata": {"v1": gce_tree(inst, mtu)}}
    node = root
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return not_found
    directory = is_directory(node)
    if directory and not is_dir:             # as GCE: a directory's URL ends with "/"
        location = f"http://{req.headers.get('Host', '169.254.169.254')}{path}/"
        if req.raw_query:
            location += "?" + req.raw_query
        return Response(301, f"{path}/\n", "text/html", headers + [("Location", location)])
    if not directory and is_dir:
        return not_found
    if directory and recursive:
        if alt == "text":
            body = "\n".join(gce_text_lines(node)) + "\n"
            ctype = "application/text"
        else:
            body, ctype = json.dumps(gce_json(node, parts[-1:] == ["attributes"])), "application/json"
    elif directory:
        if alt == "json":
            body, ctype = json.dumps(gce_listing(node)), "application/json"
        else:
            body, ctype = "".join(n + "\n" for n in gce_listing(node)), "application/text"
    elif alt == "json" or isinstance(node, JsonValue):
        body, ctype = json.dumps(node), "application/json"
    else:
        body, ctype = str(node), "application/text"
    etag = hashlib.md5(body.encode()).hexdigest()[:16]
    return Response(200, body, ctype, headers + [("ETag", etag)])


# ---------------------------------------------------------------- EC2 (IMDSv2)

class Tokens:
    """IMDSv2 session tokens: opaque, each valid for the instance (address)
    that asked for it, until its TTL runs out."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tokens = {}

    def issue(self, ip, ttl):
        token = base64.urlsafe_b64encode(secrets.token_bytes(42)).decode()
        with self.lock:
            now = time.monotonic()
            self.tokens = {t: v for t, v in self.tokens.items() if v[1] > now}
            self.tokens[token] = (ip, now + ttl)
        return token

    def remaining(self, token, ip):
        """Seconds left for TOKEN presented by IP, or None if not valid."""
        with self.lock:
            got = self.tokens.get(token)
        if got is None or got[0] != ip:
            return None
        left = got[1] - time.monotonic()
        return left if left > 0 else None


def ec2_error(code, reason, headers=()):
    return Response(code, EC2_ERROR.format(code=code, reason=reason), "text/html", list(headers))


def ec2_tree(inst):
    host = "ip-" + inst.ip.replace(".", "-") + ".ec2.internal"
    meta = {
        "ami-id": "ami-0" + digest("ami", "hermit").hex()[:16],
        "ami-launch-index": str(inst.launch_index),
        "ami-manifest-path": "(unknown)",
        "hostname": host,
        "instance-action": "none",
        "instance-id": inst.ec2_id(),
        "instance-life-cycle": "on-demand",
        "instance-type": EC2_INSTANCE_TYPE,
        "local-hostname": host,
        "local-ipv4": inst.ip,
        "placement": {"availability-zone": EC2_ZONE, "region": EC2_REGION},
        "reservation-id": "r-0" + digest("ec2-r", inst.name).hex()[:16],
        "security-groups": "default",
        "tags": {"instance": dict(inst.attributes)},   # instance-metadata-tags enabled
    }
    if inst.mac:
        meta["mac"] = inst.mac
    latest = {"dynamic": {}, "meta-data": meta}
    if inst.user_data is not None:
        latest["user-data"] = inst.user_data
    return latest


def ec2_handle(req, inst, tokens, hop_limit):
    path = req.path_only
    if path in ("/latest/api/token", "/latest/api/token/"):
        if req.command != "PUT":
            return ec2_error(405, "Method Not Allowed", [("Allow", "PUT")])
        if req.headers.get("X-Forwarded-For") is not None:
            return ec2_error(403, "Forbidden")
        ttl = (req.headers.get("X-aws-ec2-metadata-token-ttl-seconds") or "").strip()
        if not ttl.isdigit() or not 1 <= int(ttl) <= EC2_TOKEN_TTL_MAX:
            return ec2_error(400, "Bad Request")
        token = tokens.issue(inst.ip, int(ttl))
        req.set_ttl(hop_limit)               # http-put-response-hop-limit
        return Response(200, token, "text/plain",
                        [("X-aws-ec2-metadata-token-ttl-seconds", ttl)])
    if req.command not in ("GET", "HEAD"):
        return ec2_error(405, "Method Not Allowed", [("Allow", "GET, HEAD")])
    token = req.headers.get("X-aws-ec2-metadata-token")
    left = tokens.remaining(token, req.client_ip) if token else None
    if left is None:                         # http-tokens=required: IMDSv1 refused
        return ec2_error(401, "Unauthorized")
    ttl_header = [("X-aws-ec2-metadata-token-ttl-seconds", str(max(1, int(left))))]
    if path == "/":
        return Response(200, "\n".join(EC2_VERSIONS + ["latest"]), "text/plain", ttl_header)
    parts = path.split("/")[1:]
    if parts and parts[-1] == "":
        parts = parts[:-1]
    if not parts or parts[0] != "latest":
        return ec2_error(404, "Not Found", ttl_header)
    node = ec2_tree(inst)
    for part in parts[1:]:
        if not isinstance(node, dict) or part not in node:
            return ec2_error(404, "Not Found", ttl_header)
        node = node[part]
    if isinstance(node, dict):               # /latest/ lists its entries without "/"
        body = "\n".join(k + "/" if isinstance(v, dict) and len(parts) > 1 else k
                         for k, v in sorted(node.items()))
        return Response(200, body, "text/plain", ttl_header)
    if path.endswith("/"):
        return ec2_error(404, "Not Found", ttl_header)
    ctype = "application/octet-stream" if parts[1:] == ["user-data"] else "text/plain"
    return Response(200, node, ctype, ttl_header)


# ---------------------------------------------------------------- OpenStack

def os_meta_data(inst, version):
    md = {"uuid": inst.os_uuid()}
    if inst.attributes:                      # Nova leaves "meta" out when there is none
        md["meta"] = dict(inst.attributes)
    md.update({
        "hostname": inst.hostname_label() + ".novalocal",
        "name": inst.name,
        "launch_index": inst.launch_index,
        "availability_zone": OS_ZONE,
    })
    if version >= "2013-04-04":
        md["random_seed"] = base64.b64encode(os.urandom(512)).decode()
    if version >= "2015-10-15":
        md["project_id"] = OS_PROJECT_ID
    if version >= "2016-06-30":
        md["devices"] = []
    if version >= "2020-10-14":
        md["dedicated_cpus"] = []
    return md


def os_network_data(inst, mtu):
    link = {"id": "tap" + inst.os_uuid()[:11], "vif_id": inst.os_uuid(), "type": "ovs",
            "mtu": mtu, "ethernet_mac_address": inst.mac or ""}
    return {"links": [link],
            "networks": [{"id": "network0", "type": "ipv4_dhcp", "link": link["id"],
                          "network_id": str(uuid.UUID(bytes=digest("os-net")[:16], version=4))}],
            "services": []}


def os_files(inst, version):
    files = ["meta_data.json"]
    if inst.user_data is not None:
        files.append("user_data")
    if version >= "2013-04-04":
        files.append("password")
    if version >= "2013-10-17":
        files.append("vendor_data.json")
    if version >= "2015-10-15":
        files.append("network_data.json")
    if version >= "2016-10-06":
        files.append("vendor_data2.json")
    return files


def os_handle(req, inst, mtu):
    not_found = Response(404, "404 Not Found\n\nThe resource could not be found.\n\n",
                         "text/plain; charset=UTF-8")
    if req.command not in ("GET", "HEAD"):
        return Response(405, "405 Method Not Allowed\n", "text/plain; charset=UTF-8",
                        [("Allow", "GET, HEAD")])
    parts = [p for p in req.path_only.split("/") if p]   # Nova normalises the path
    if not parts or parts[0] != "openstack":
        return not_found
    if len(parts) == 1:
        return Response(200, "\n".join(OS_VERSIONS + ["latest"]), "text/plain; charset=UTF-8")
    version = OS_VERSIONS[-1] if parts[1] == "latest" else parts[1]
    if version not in OS_VERSIONS:
        return not_found
    files = os_files(inst, version)
    if len(parts) == 2:
        return Response(200, "\n".join(files), "text/plain; charset=UTF-8")
    if len(parts) != 3 or parts[2] not in files:
        return not_found
    name = parts[2]
    if name == "meta_data.json":
        return Response(200, json.dumps(os_meta_data(inst, version)), "application/json")
    if name == "user_data":
        return Response(200, inst.user_data, "text/plain; charset=UTF-8")
    if name == "network_data.json":
        return Response(200, json.dumps(os_network_data(inst, mtu)), "application/json")
    if name in ("vendor_data.json", "vendor_data2.json"):
        return Response(200, "{}", "application/json")
    return Response(200, "", "text/plain; charset=UTF-8")   # password: none set


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
