"""Put nginx with TLS, basic auth or an API key check in front of a loopback cluster for tests.

Certificates come from the `openssl` command and nginx runs as the current user with a config,
pid file, logs and temporary folders inside one test folder, so nothing outside it is touched:

    authority = create_certificate_authority(directory / "ca", "Test CA")
    certificate = issue_server_certificate(authority, directory / "server", ["IP:127.0.0.1"])
    sites = [ProxySite("tls", certificate)]
    with running_nginx(directory / "nginx", cluster.url, sites) as proxy:
        proxy.url("tls")  # https://127.0.0.1:PORT

Both programs come from Debian (`nginx-light`, `openssl`), installed by setup.sh.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import grp
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from harness import HarnessError, require_loopback

OPENSSL_TIMEOUT_SECONDS = 60.0
NGINX_STARTUP_TIMEOUT_SECONDS = 10.0
NGINX_STOP_TIMEOUT_SECONDS = 10.0
CERTIFICATE_DAYS = 2


# --- certificates -------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateAuthority:
    """A self-signed CA: its PEM certificate, its private key and the SHA-256 of its DER form."""

    certificate: Path
    key: Path
    fingerprint: str  # upper-case hex pairs joined by colons, as `openssl x509 -fingerprint` prints


@dataclass(frozen=True)
class ServerCertificate:
    """A server certificate alone and with the issuing CA appended (`chain`), and its private key."""

    certificate: Path
    chain: Path
    key: Path


def run_openssl(arguments: Sequence[str], directory: Path) -> None:
    """Run `openssl` with `arguments` in `directory`, or raise HarnessError with its output."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise HarnessError("openssl not found; run integration-tests/setup.sh")
    completed = subprocess.run([openssl, *arguments], cwd=directory, capture_output=True, text=True,
                               timeout=OPENSSL_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
    if completed.returncode != 0:
        raise HarnessError(f"openssl {' '.join(arguments)} failed with exit code {completed.returncode}:\n"
                           f"{completed.stderr[-2000:]}")


def certificate_fingerprint(certificate: Path) -> str:
    """Return the SHA-256 of a PEM certificate's DER form as colon-separated upper-case hex."""
    der = ssl.PEM_cert_to_DER_cert(certificate.read_text(encoding="ascii"))
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[index:index + 2] for index in range(0, len(digest), 2))


def create_certificate_authority(directory: Path, common_name: str) -> CertificateAuthority:
    """Create a self-signed CA certificate and its RSA key in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    certificate, key = directory / "ca.pem", directory / "ca.key"
    run_openssl([
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", str(CERTIFICATE_DAYS),
        "-subj", f"/CN={common_name}", "-keyout", str(key), "-out", str(certificate),
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    ], directory)
    return CertificateAuthority(certificate, key, certificate_fingerprint(certificate))


def issue_server_certificate(authority: CertificateAuthority, directory: Path,
                             subject_alt_names: Sequence[str]) -> ServerCertificate:
    """Issue a server certificate signed by `authority` for names such as `IP:127.0.0.1`.

    The returned chain file contains the server certificate followed by the CA certificate, so a
    client that pins the CA's fingerprint finds it in the chain the server sends.
    """
    directory.mkdir(parents=True, exist_ok=True)
    key, request, certificate = directory / "server.key", directory / "server.csr", directory / "server.pem"
    extensions = directory / "server-extensions.cnf"
    extensions.write_text(
        f"subjectAltName={','.join(subject_alt_names)}\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n",
        encoding="ascii",
    )
    common_name = subject_alt_names[0].partition(":")[2]
    run_openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={common_name}",
                 "-keyout", str(key), "-out", str(request)], directory)
    run_openssl(["x509", "-req", "-sha256", "-days", str(CERTIFICATE_DAYS), "-in", str(request),
                 "-CA", str(authority.certificate), "-CAkey", str(authority.key), "-CAcreateserial",
                 "-extfile", str(extensions), "-out", str(certificate)], directory)
    chain = directory / "chain.pem"
    chain.write_text(certificate.read_text(encoding="ascii") + authority.certificate.read_text(encoding="ascii"),
                     encoding="ascii")
    return ServerCertificate(certificate, chain, key)


def apr1_htpasswd_line(user: str, password: str, directory: Path) -> str:
    """Return an htpasswd line for `user` with an Apache MD5 (`$apr1$`) hash from `openssl passwd`.

    The password goes to openssl on stdin, so it never appears on a command line.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise HarnessError("openssl not found; run integration-tests/setup.sh")
    completed = subprocess.run([openssl, "passwd", "-apr1", "-stdin"], input=password + "\n", cwd=directory,
                               capture_output=True, text=True, timeout=OPENSSL_TIMEOUT_SECONDS)
    if completed.returncode != 0 or not completed.stdout.startswith("$apr1$"):
        raise HarnessError(f"openssl passwd -apr1 failed with exit code {completed.returncode}: "
                           f"{completed.stderr[-500:]}")
    return f"{user}:{completed.stdout.strip()}\n"


def api_key_header_value(key_id: str, key: str) -> str:
    """Return the `Authorization` value Elasticsearch expects for an API key: ApiKey base64(id:key)."""
    return "ApiKey " + base64.b64encode(f"{key_id}:{key}".encode("utf-8")).decode("ascii")


# --- nginx --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProxySite:
    """One nginx `server` block: a name for the test, its certificate and an optional auth check.

    `htpasswd` turns on basic authentication against that file. `api_key_header` makes every
    request without exactly that `Authorization` value get HTTP 401.
    """

    name: str
    certificate: ServerCertificate
    htpasswd: Path | None = None
    api_key_header: str | None = None


@dataclass
class NginxProxy:
    """A running nginx: the port of each site, its master process and its folder."""

    directory: Path
    process: subprocess.Popen
    ports: dict[str, int] = field(default_factory=dict)

    def url(self, site: str) -> str:
        return f"https://127.0.0.1:{self.ports[site]}"

    def error_log_tail(self, lines: int = 40) -> str:
        path = self.directory / "logs" / "error.log"
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            return f"(error log {path} unreadable: {error})"
        return "\n".join(text.splitlines()[-lines:])


def free_loopback_port() -> int:
    """Return a loopback port that was free a moment ago (bound to port 0, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_quote(value: str) -> str:
    """Quote a value for an nginx config file, escaping backslashes and double quotes."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def site_block(site: ProxySite, port: int, upstream: str) -> str:
    """Return the `server` block of one site, proxying every path to `upstream`."""
    lines = [
        "    server {",
        f"        listen 127.0.0.1:{port} ssl;",
        f"        ssl_certificate {nginx_quote(str(site.certificate.chain))};",
        f"        ssl_certificate_key {nginx_quote(str(site.certificate.key))};",
        "        client_max_body_size 64m;",
    ]
    if site.htpasswd is not None:
        lines += ['        auth_basic "cluster";', f"        auth_basic_user_file {nginx_quote(str(site.htpasswd))};"]
    lines.append("        location / {")
    if site.api_key_header is not None:
        lines += [
            f"            if ($http_authorization != {nginx_quote(site.api_key_header)}) {{",
            "                return 401;",
            "            }",
        ]
    lines += [
        f"            proxy_pass {upstream};",
        "            proxy_http_version 1.1;",
        '            proxy_set_header Connection "";',
        "        }",
        "    }",
    ]
    return "\n".join(lines)


def nginx_config(directory: Path, upstream: str, sites: Sequence[ProxySite], ports: dict[str, int]) -> str:
    """Return an nginx.conf whose pid file, logs and temporary folders all sit in `directory`.

    Debian's build puts its temporary folders under /var/lib/nginx, so every one is set here.
    As root without a `user` directive, nginx runs its workers as `nobody`, which cannot read a
    private test folder, so the directive keeps them as the current user.
    """
    user_line = ""
    if os.geteuid() == 0:
        user_line = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n"
    temporary = directory / "temp"
    blocks = "\n".join(site_block(site, ports[site.name], upstream) for site in sites)
    return (
        f"{user_line}"
        "worker_processes 1;\n"
        f"pid {nginx_quote(str(directory / 'nginx.pid'))};\n"
        f"error_log {nginx_quote(str(directory / 'logs' / 'error.log'))} info;\n"
        "events {\n    worker_connections 64;\n}\n"
        "http {\n"
        f"    access_log {nginx_quote(str(directory / 'logs' / 'access.log'))};\n"
        f"    client_body_temp_path {nginx_quote(str(temporary / 'body'))};\n"
        f"    proxy_temp_path {nginx_quote(str(temporary / 'proxy'))};\n"
        f"    fastcgi_temp_path {nginx_quote(str(temporary / 'fastcgi'))};\n"
        f"    uwsgi_temp_path {nginx_quote(str(temporary / 'uwsgi'))};\n"
        f"    scgi_temp_path {nginx_quote(str(temporary / 'scgi'))};\n"
        f"{blocks}\n"
        "}\n"
    )


def port_accepts_connections(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def wait_for_nginx(proxy: NginxProxy, timeout: float) -> None:
    """Wait until every site's port accepts connections, or raise HarnessError."""
    deadline = time.monotonic() + timeout
    waiting = set(proxy.ports.values())
    while waiting:
        if proxy.process.poll() is not None:
            raise HarnessError(f"nginx exited with code {proxy.process.returncode} during startup\n"
                               f"{proxy.error_log_tail()}")
        waiting = {port for port in waiting if not port_accepts_connections(port)}
        if not waiting:
            return
        if time.monotonic() >= deadline:
            raise HarnessError(f"nginx did not listen on ports {sorted(waiting)} within {timeout} s\n"
                               f"{proxy.error_log_tail()}")
        time.sleep(0.05)


def stop_nginx(process: subprocess.Popen, timeout: float = NGINX_STOP_TIMEOUT_SECONDS) -> None:
    """Stop nginx with SIGTERM (fast shutdown), then SIGKILL its process group if it lingers.

    nginx runs in a session of its own, so its process group contains only the master and its
    workers. The master waits for its workers on SIGTERM, and the group is killed only while the
    master is still unreaped, so its id cannot belong to another process yet.
    """
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5.0)


@contextlib.contextmanager
def running_nginx(directory: Path, upstream: str, sites: Sequence[ProxySite],
                  startup_timeout: float = NGINX_STARTUP_TIMEOUT_SECONDS) -> Iterator[NginxProxy]:
    """Start nginx in `directory` with one TLS site per entry of `sites`, each on a free port.

    Every site proxies to the loopback URL `upstream`. nginx is stopped on exit, and its error
    log is in `directory/logs/error.log`.
    """
    require_loopback(upstream)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).is_file():
        raise HarnessError("nginx not found; run integration-tests/setup.sh")
    for folder in ("logs", "temp"):
        (directory / folder).mkdir(parents=True, exist_ok=True)
    ports = {site.name: free_loopback_port() for site in sites}
    config = directory / "nginx.conf"
    config.write_text(nginx_config(directory, upstream, sites, ports), encoding="utf-8")
    output = (directory / "logs" / "nginx-output.log").open("wb")
    # -e sets the error log nginx writes before it has read the config, which by default is
    # /var/log/nginx/error.log.
    command = [nginx, "-p", str(directory), "-c", str(config), "-e", str(directory / "logs" / "error.log"),
               "-g", "daemon off;"]
    with output:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                   cwd=directory, start_new_session=True)
    proxy = NginxProxy(directory, process, ports)
    try:
        wait_for_nginx(proxy, startup_timeout)
        yield proxy
    finally:
        stop_nginx(process)
