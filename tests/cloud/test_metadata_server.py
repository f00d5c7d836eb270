#!/usr/bin/env python3
"""test_metadata_server.py - the emulated clouds' metadata services
(metadata_server.py beside this file), on the host, no VM, no root: each
flavour's server on 127.0.0.1 with a free port, instances told apart by
source address (127.0.0.1 and 127.0.0.3 are instances, 127.0.0.2 is not).
Prints one PASS/FAIL line per case.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "metadata_server.py")

I1, OTHER, I3 = "127.0.0.1", "127.0.0.2", "127.0.0.3"
CONFIG = {
    I1: {"name": "i-1", "attributes": {"hermit-rank": "0", "hermit-size": "4",
                                      "hermit-hosts": "i-1:10.128.0.11,i-2:10.128.0.12"},
         "user_data": "#!hermit\nrank0\n", "mac": "52:54:00:12:34:01"},
    I3: {"name": "i-3", "attributes": {"hermit-rank": "2"}},
}

failures = 0


def check(name, ok, detail=""):
    global failures
    print(f"PASS {name}" if ok else f"FAIL {name}: {detail}")
    failures += 0 if ok else 1


class Server:
    def __init__(self, config_path, flavour, *extra):
        self.proc = subprocess.Popen(
            [sys.executable, SERVER, "--flavour", flavour, "--config", config_path,
             "--listen", "127.0.0.1:0", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on "):
            self.proc.kill()
            raise RuntimeError(f"{flavour} server did not start: {line!r} "
                               f"{self.proc.stderr.read()[-500:]}")
        self.port = int(line.rsplit(":", 1)[1])

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


def request(server, method, path, headers=None, source=I1, version=11, timeout=3):
    """(status, headers dict with lower-case names, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout,
                                      source_address=(source, 0))
    conn._http_vsn, conn._http_vsn_str = (10, "HTTP/1.0") if version == 10 else (11, "HTTP/1.1")
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


GOOGLE = {"Metadata-Flavor": "Google"}


def test_gce(cfg):
    s = Server(cfg, "gce")
    try:
        v1 = "/computeMetadata/v1/instance"
        st, h, body = request(s, "GET", v1 + "/attributes/hermit-rank", GOOGLE)
        check("gce-attribute", st == 200 and body == b"0", f"{st} {body!r}")
        check("gce-flavor-header", h.get("metadata-flavor") == "Google", str(h))
        check("gce-content-length", h.get("content-length") == "1", str(h))
        st, _, body = request(s, "GET", v1 + "/attributes/hermit-hosts", GOOGLE, source=I1)
        check("gce-attribute-raw", body == b"i-1:10.128.0.11,i-2:10.128.0.12", repr(body))
        st, _, body = request(s, "GET", v1 + "/attributes/hermit-rank", GOOGLE, source=I3)
        check("gce-per-instance", st == 200 and body == b"2", f"{st} {body!r}")

        st, h, _ = request(s, "GET", v1 + "/attributes/hermit-rank")
        check("gce-no-flavor-403", st == 403 and h.get("metadata-flavor") == "Google", str(st))
        st, _, _ = request(s, "GET", v1 + "/attributes/hermit-rank", {"Metadata-Flavor": "google"})
        check("gce-wrong-flavor-403", st == 403, str(st))
        st, _, _ = request(s, "GET", v1 + "/attributes/hermit-rank",
                           {**GOOGLE, "X-Forwarded-For": "10.0.0.9"})
        check("gce-forwarded-403", st == 403, str(st))
        st, _, _ = request(s, "GET", v1 + "/attributes/nope", GOOGLE)
        check("gce-missing-key-404", st == 404, str(st))
        st, _, _ = request(s, "GET", v1 + "/attributes/hermit-rank", GOOGLE, source=OTHER)
        check("gce-unknown-instance-404", st == 404, str(st))
        st, h, _ = request(s, "PUT", v1 + "/attributes/hermit-rank", GOOGLE)
        check("gce-get-only", st == 405, str(st))

        st, _, body = request(s, "GET", v1 + "/name", GOOGLE)
        check("gce-name", body == b"i-1", repr(body))
        st, _, body = request(s, "GET", v1 + "/id", GOOGLE)
        check("gce-id", st == 200 and body.isdigit() and len(body) == 19, repr(body))
        st, _, body = request(s, "GET", v1 + "/hostname", GOOGLE)
        check("gce-hostname", body == b"i-1.us-central1-a.c.hermit-test.internal", repr(body))
        st, _, body = request(s, "GET", v1 + "/network-interfaces/0/mtu", GOOGLE)
        check("gce-mtu", body == b"1460", repr(body))

        st, _, body = request(s, "GET", v1 + "/attributes/", GOOGLE)
        check("gce-listing", st == 200 and body == b"hermit-hosts\nhermit-rank\nhermit-size\n",
              f"{st} {body!r}")
        st, h, body = request(s, "GET", v1 + "/attributes", GOOGLE)
        check("gce-directory-redirect", st == 301 and h.get("location", "").endswith(
            v1 + "/attributes/"), f"{st} {h}")
        st, _, body = request(s, "GET", v1 + "/", GOOGLE)
        check("gce-instance-listing", b"attributes/\n" in body and b"\nname\n" in body, repr(body))

        st, h, body = request(s, "GET", v1 + "/attributes/?recursive=true", GOOGLE)
        ok = st == 200 and h.get("content-type") == "application/json"
        check("gce-recursive-json", ok and json.loads(body) == CONFIG[I1]["attributes"],
              f"{st} {h.get('content-type')} {body!r}")
        st, _, body = request(s, "GET", v1 + "/?recursive=true", GOOGLE)
        doc = json.loads(body) if st == 200 else {}
        check("gce-recursive-instance",
              doc.get("name") == "i-1" and doc.get("attributes", {}).get("hermit-rank") == "0"
              and isinstance(doc.get("id"), int)
              and doc.get("networkInterfaces", [{}])[0].get("ip") == I1, repr(body[:200]))
        st, _, body = request(s, "GET", v1 + "/attributes/?recursive=true&alt=text", GOOGLE)
        check("gce-recursive-alt-text", body == b"hermit-hosts i-1:10.128.0.11,i-2:10.128.0.12\n"
              b"hermit-rank 0\nhermit-size 4\n", repr(body))
        st, h, body = request(s, "GET", v1 + "/attributes/hermit-rank?alt=text", GOOGLE)
        check("gce-alt-text", st == 200 and body == b"0", f"{st} {body!r}")
        st, h, body = request(s, "GET", v1 + "/attributes/hermit-rank?alt=json", GOOGLE)
        check("gce-alt-json", st == 200 and json.loads(body) == "0", f"{st} {body!r}")
        st, _, _ = request(s, "GET", v1 + "/attributes/hermit-rank?alt=xml", GOOGLE)
        check("gce-alt-bad-400", st == 400, str(st))

        st, h, body = request(s, "GET", v1 + "/attributes/hermit-size", GOOGLE, version=10)
        check("gce-http10", st == 200 and body == b"4" and h.get("content-length") == "1",
              f"{st} {body!r}")
        # keep-alive: two requests on one connection
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=3)
        got = []
        for key in ("hermit-rank", "hermit-size"):
            conn.request("GET", v1 + "/attributes/" + key, headers=GOOGLE)
            got.append(conn.getresponse().read())
        conn.close()
        check("gce-keep-alive", got == [b"0", b"4"], repr(got))
    finally:
        s.stop()


def token(server, ttl="60", source=I1, extra=None):
    return request(server, "PUT", "/latest/api/token",
                   {"X-aws-ec2-metadata-token-ttl-seconds": ttl, **(extra or {})}, source=source)


def test_ec2(cfg):
    s = Server(cfg, "ec2")
    try:
        st, h, tok = token(s, "21600")
        check("ec2-token", st == 200 and len(tok) >= 40 and
              h.get("x-aws-ec2-metadata-token-ttl-seconds") == "21600", f"{st} {tok!r} {h}")
        auth = {"X-aws-ec2-metadata-token": tok.decode()}
        st, _, _ = request(s, "PUT", "/latest/api/token")
        check("ec2-token-no-ttl-400", st == 400, str(st))
        for bad in ("0", "21601", "-5", "ten", ""):
            st, _, _ = token(s, bad)
            check(f"ec2-token-ttl-{bad or 'empty'}-400", st == 400, str(st))
        st, _, _ = token(s, "60", extra={"X-Forwarded-For": "10.0.0.9"})
        check("ec2-token-forwarded-403", st == 403, str(st))
        st, _, _ = request(s, "GET", "/latest/api/token")
        check("ec2-token-get-405", st == 405, str(st))

        st, _, body = request(s, "GET", "/latest/meta-data/instance-id", auth)
        check("ec2-instance-id", st == 200 and body.startswith(b"i-0") and len(body) == 19,
              f"{st} {body!r}")
        st, _, body = request(s, "GET", "/latest/meta-data/local-ipv4", auth)
        check("ec2-local-ipv4", body == I1.encode(), repr(body))
        st, _, body = request(s, "GET", "/latest/user-data", auth)
        check("ec2-user-data", st == 200 and body == CONFIG[I1]["user_data"].encode(), repr(body))
        st, _, body = request(s, "GET", "/latest/meta-data/", auth)
        lines = body.decode().split("\n")
        check("ec2-listing", st == 200 and "instance-id" in lines and "local-ipv4" in lines
              and "placement/" in lines and "tags/" in lines, repr(body))
        st, _, body = request(s, "GET", "/latest/meta-data/tags/instance/hermit-rank", auth)
        check("ec2-tag", st == 200 and body == b"0", f"{st} {body!r}")
        st, _, _ = request(s, "GET", "/latest/meta-data/nope", auth)
        check("ec2-missing-404", st == 404, str(st))

        st, _, _ = request(s, "GET", "/latest/meta-data/instance-id")
        check("ec2-no-token-401", st == 401, str(st))
        st, _, _ = request(s, "GET", "/latest/meta-data/instance-id",
                           {"X-aws-ec2-metadata-token": "AQAEAN" + "x" * 50})
        check("ec2-wrong-token-401", st == 401, str(st))
        st, _, _ = request(s, "GET", "/latest/meta-data/instance-id", auth, source=I3)
        check("ec2-token-other-instance-401", st == 401, str(st))
        st, _, tok3 = token(s, source=I3)
        st, _, body = request(s, "GET", "/latest/user-data",
                              {"X-aws-ec2-metadata-token": tok3.decode()}, source=I3)
        check("ec2-no-user-data-404", st == 404, f"{st} {body[:40]!r}")
        st, _, _ = token(s, source=OTHER)
        check("ec2-unknown-instance-404", st == 404, str(st))

        st, _, short = token(s, "2")
        short_auth = {"X-aws-ec2-metadata-token": short.decode()}
        st, _, body = request(s, "GET", "/latest/meta-data/instance-id", short_auth)
        check("ec2-short-token-valid", st == 200, str(st))
        time.sleep(2.1)
        st, _, _ = request(s, "GET", "/latest/meta-data/instance-id", short_auth)
        check("ec2-expired-token-401", st == 401, str(st))
        st, _, _ = request(s, "GET", "/latest/meta-data/instance-id", auth)
        check("ec2-long-token-still-valid", st == 200, str(st))

        # The usual client flow on one keep-alive connection: token, then GET.
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=3)
        conn.request("PUT", "/latest/api/token", headers={"X-aws-ec2-metadata-token-ttl-seconds": "5"})
        tok = conn.getresponse().read().decode()
        conn.request("GET", "/latest/meta-data/local-ipv4", headers={"X-aws-ec2-metadata-token": tok})
        resp = conn.getresponse()
        got = (resp.status, resp.read())
        conn.close()
        check("ec2-token-then-get-keep-alive", got == (200, I1.encode()), repr(got))
    finally:
        s.stop()


def test_openstack(cfg):
    s = Server(cfg, "openstack")
    try:
        st, h, body = request(s, "GET", "/openstack/latest/meta_data.json")
        md = json.loads(body) if st == 200 else {}
        check("os-meta-data", h.get("content-type") == "application/json"
              and md.get("name") == "i-1" and md.get("meta") == CONFIG[I1]["attributes"]
              and md.get("launch_index") == 0 and md.get("availability_zone") == "nova"
              and len(md.get("uuid", "")) == 36 and md.get("hostname") == "i-1.novalocal",
              repr(body[:300]))
        st, _, body = request(s, "GET", "/openstack/latest/meta_data.json", source=I3)
        md3 = json.loads(body) if st == 200 else {}
        check("os-per-instance", md3.get("meta") == {"hermit-rank": "2"}
              and md3.get("uuid") != md.get("uuid"), repr(body[:200]))
        st, _, body = request(s, "GET", "/openstack/latest/user_data")
        check("os-user-data", st == 200 and body == CONFIG[I1]["user_data"].encode(), repr(body))
        st, _, _ = request(s, "GET", "/openstack/latest/user_data", source=I3)
        check("os-no-user-data-404", st == 404, str(st))
        st, _, body = request(s, "GET", "/openstack")
        versions = body.decode().split("\n")
        check("os-versions", st == 200 and versions[0] == "2012-08-10" and versions[-1] == "latest",
              repr(body))
        st, _, body = request(s, "GET", "/openstack/latest/")
        files = body.decode().split("\n")
        check("os-files", st == 200 and "meta_data.json" in files and "user_data" in files, repr(body))
        st, _, body = request(s, "GET", "/openstack/latest/", source=I3)
        check("os-files-no-user-data", "user_data" not in body.decode().split("\n"), repr(body))
        st, _, body = request(s, "GET", "/openstack/2012-08-10/meta_data.json")
        old = json.loads(body) if st == 200 else {}
        check("os-old-version", st == 200 and "random_seed" not in old and "meta" in old, repr(body))
        st, _, _ = request(s, "GET", "/openstack/1999-01-01/meta_data.json")
        check("os-bad-version-404", st == 404, str(st))
        st, _, _ = request(s, "GET", "/openstack/latest/meta_data.json", source=OTHER)
        check("os-unknown-instance-404", st == 404, str(st))
        st, _, _ = request(s, "GET", "/latest/meta-data/")
        check("os-no-ec2-api", st == 404, str(st))
    finally:
        s.stop()


def raw_exchange(port, timeout):
    """Send one GET; return what came back before close or timeout."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.sendall(b"GET /openstack HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    try:
        while True:
            more = sock.recv(4096)
            if not more:
                return data, "closed"
            data += more
    except socket.timeout:
        return data, "timeout"
    finally:
        sock.close()


def test_faults(cfg):
    s = Server(cfg, "openstack", "--fault", "hang")
    try:
        t0 = time.monotonic()
        data, how = raw_exchange(s.port, 0.5)
        check("fault-hang", data == b"" and how == "timeout" and time.monotonic() - t0 < 2,
              f"{how} {data[:40]!r}")
    finally:
        s.stop()
    s = Server(cfg, "openstack", "--fault", "garbage")
    try:
        data, how = raw_exchange(s.port, 2)
        check("fault-garbage", how == "closed" and data and not data.startswith(b"HTTP/"),
              f"{how} {data[:40]!r}")
        try:
            request(s, "GET", "/openstack")
            check("fault-garbage-client-error", False, "http.client accepted it")
        except (http.client.HTTPException, OSError):
            check("fault-garbage-client-error", True)
    finally:
        s.stop()
    s = Server(cfg, "gce", "--fault", "500")
    try:
        st, _, _ = request(s, "GET", "/computeMetadata/v1/instance/id", GOOGLE)
        check("fault-500", st == 500, str(st))
    finally:
        s.stop()
    s = Server(cfg, "gce", "--fault", "500", "--fault-count", "2")
    try:
        got = [request(s, "GET", "/computeMetadata/v1/instance/name", GOOGLE)[0] for _ in range(3)]
        check("fault-count", got == [500, 500, 200], str(got))
    finally:
        s.stop()


def test_config(tmp, cfg):
    s = Server(cfg, "gce")
    try:
        st, _, body = request(s, "GET", "/computeMetadata/v1/instance/name", GOOGLE, source=OTHER)
        before = st
        changed = dict(CONFIG)
        changed[OTHER] = {"name": "i-2"}
        new = os.path.join(tmp, "new.json")
        with open(new, "w") as f:
            json.dump(changed, f)
        os.replace(new, cfg)
        st, _, body = request(s, "GET", "/computeMetadata/v1/instance/name", GOOGLE, source=OTHER)
        check("config-reread", before == 404 and st == 200 and body == b"i-2", f"{before} {st}")
        with open(new, "w") as f:
            f.write("{not json")
        os.replace(new, cfg)
        st, _, body = request(s, "GET", "/computeMetadata/v1/instance/name", GOOGLE, source=OTHER)
        check("config-bad-keeps-last", st == 200 and body == b"i-2", f"{st} {body!r}")
    finally:
        s.stop()
    bad = os.path.join(tmp, "bad.json")
    with open(bad, "w") as f:
        json.dump({I1: {"name": "x", "attributes": {"n": 3}}}, f)
    p = subprocess.run([sys.executable, SERVER, "--flavour", "gce", "--config", bad,
                        "--listen", "127.0.0.1:0"], capture_output=True, text=True, timeout=10)
    check("config-refuses-non-string", p.returncode == 2 and "strings" in p.stderr, p.stderr)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "config.json")
        with open(cfg, "w") as f:
            json.dump(CONFIG, f)
        test_gce(cfg)
        test_ec2(cfg)
        test_openstack(cfg)
        test_faults(cfg)
        test_config(tmp, cfg)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
