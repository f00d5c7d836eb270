"""metadata_clouds.py -- what each emulated cloud's metadata service
answers (GCE, EC2 IMDSv2, OpenStack), for tests/cloud/metadata_server.py,
which serves them over HTTP per source address. See README.md beside this
file for what is emulated and what is not.
"""

import base64
import hashlib
import json
import os
import secrets
import threading
import time
import uuid

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


def digest(*parts):
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).digest()


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
