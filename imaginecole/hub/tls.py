"""HTTPS for a workshop on a classroom LAN: a local workshop CA and the hub's certificate.

Browsers give the microphone (getUserMedia) only to secure pages: https:// or localhost.
On a LAN with no internet there is no public CA, so the workshop makes its own, once, in
DATA/tls/: a CA valid 10 years, which participants trust once (the hub serves it at
/hub/imaginecole/ca), and a server certificate it signs for every name and address of the
machine. The server certificate is made again when those names change or it nears expiry;
the CA is kept, so devices that trust it go on trusting the new certificate.

The CA may only vouch for local names and private addresses (X.509 name constraints): a
device that trusts it cannot be fooled by it about any public site.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..i18n import ImaginecoleError

CA_DAYS = 3650
# Apple devices refuse server certificates valid longer than 825 days
SERVER_DAYS = 825
RENEW_BEFORE = dt.timedelta(days=30)
PRIVATE_NETWORKS = (
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "100.64.0.0/10",
)
LOCAL_DOMAINS = ("localhost", "local", "lan", "home.arpa", "internal")

CA_CERT, CA_KEY = "workshop-ca.pem", "workshop-ca-key.pem"
SERVER_CERT, SERVER_KEY = "server.pem", "server-key.pem"


@dataclass(frozen=True)
class TLSFiles:
    """The certificate and key the proxy serves, and the CA to trust (None: trainer's own)."""

    cert: Path
    key: Path
    ca: Path | None = None

    @property
    def trust(self) -> Path:
        """The certificate a client verifies the hub with: the CA, or the given certificate."""
        return self.ca or self.cert


def machine_addresses() -> list[str]:
    """Every non-loopback IPv4 address of this machine."""
    import psutil

    found = []
    for addrs in psutil.net_if_addrs().values():
        for addr in addrs:
            if addr.family == socket.AF_INET and not addr.address.startswith("127."):
                found.append(addr.address)
    return sorted(set(found), key=ipaddress.ip_address)


def machine_names() -> list[str]:
    """localhost, the host name (short and full) and its mDNS name (name.local)."""
    full = socket.gethostname().strip().rstrip(".").lower()
    short = full.split(".")[0]
    names = ["localhost"]
    for name in (short, full, f"{short}.local"):
        if name and name not in names:
            names.append(name)
    return names


def wanted_names(extra: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(DNS names, IP addresses) the server certificate must cover."""
    dns, ips = machine_names(), ["127.0.0.1", *machine_addresses()]
    for name in extra:
        name = str(name).strip().rstrip(".").lower()
        if not name:
            continue
        try:
            ips.append(str(ipaddress.ip_address(name)))
        except ValueError:
            dns.append(name)
    return sorted(set(dns)), sorted(set(ips), key=ipaddress.ip_address)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_private(path: Path, data: bytes) -> None:
    """Write a key readable by its owner alone (0600), never world-readable even briefly."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _write_public(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _key_pem(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name_constraints(dns: list[str], ips: list[str]):
    from cryptography import x509

    networks = {ipaddress.ip_network(net) for net in PRIVATE_NETWORKS}
    # an address outside the private ranges (a public or test address on the LAN) alone
    networks |= {ipaddress.ip_network(ip) for ip in ips if not any(ip_in(ip, n) for n in networks)}
    permitted: list[x509.GeneralName] = [
        x509.IPAddress(net) for net in sorted(networks, key=lambda n: (n.version, n))
    ]
    for name in sorted({*LOCAL_DOMAINS, *dns}):
        permitted.append(x509.DNSName(name))
    return x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None)


def ip_in(ip: str, network) -> bool:
    address = ipaddress.ip_address(ip)
    return address.version == network.version and address in network


def _permitted(ca, dns: list[str], ips: list[str]) -> bool:
    """The CA's name constraints allow every name and address of the server certificate."""
    from cryptography import x509

    try:
        constraints = ca.extensions.get_extension_for_class(x509.NameConstraints).value
    except x509.ExtensionNotFound:
        return True
    domains = [g.value for g in constraints.permitted_subtrees if isinstance(g, x509.DNSName)]
    nets = [g.value for g in constraints.permitted_subtrees if isinstance(g, x509.IPAddress)]
    dns_ok = all(any(n == d or n.endswith("." + d) for d in domains) for n in dns)
    ips_ok = all(any(ip_in(i, net) for net in nets) for i in ips)
    return dns_ok and ips_ok


def _make_ca(folder: Path, label: str, dns: list[str], ips: list[str]):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Imaginecole Studio"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Imaginecole workshop CA · {label}"[:64]),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_name_constraints(dns, ips), critical=True)
        .sign(key, hashes.SHA256())
    )
    _write_private(folder / CA_KEY, _key_pem(key))
    _write_public(folder / CA_CERT, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _make_server(folder: Path, ca, ca_key, dns: list[str], ips: list[str]) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    common = next((n for n in dns if n != "localhost"), dns[0])
    now = _now()
    alt = [x509.DNSName(n) for n in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common[:64])]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(folder / SERVER_KEY, _key_pem(key))
    _write_public(folder / SERVER_CERT, cert.public_bytes(serialization.Encoding.PEM))


def _load_cert(path: Path):
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return None


def _load_key(path: Path):
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None


def certificate_names(cert) -> tuple[list[str], list[str]]:
    """(DNS names, IP addresses) of a certificate's subject alternative names."""
    from cryptography import x509

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return [], []
    dns = sorted(san.get_values_for_type(x509.DNSName))
    ips = [str(i) for i in san.get_values_for_type(x509.IPAddress)]
    ips.sort(key=ipaddress.ip_address)
    return dns, ips


def _signed_by(cert, ca) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        cert.verify_directly_issued_by(ca)
        return True
    except (ValueError, TypeError, InvalidSignature):
        return False


def ensure_workshop_tls(
    folder: Path, extra_names: Iterable[str] = (), *, label: str = "", now=None
) -> TLSFiles:
    """The workshop CA and server certificate in `folder`, made or renewed as needed.

    The CA is made once and kept (unless missing, unreadable, near expiry or unable to
    vouch for a new name). The server certificate is made again when the machine's names
    and addresses (or `extra_names`) changed, when it nears expiry, or when the CA changed.
    """
    now = now or _now()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o755)  # the CA certificate is public; keys stay 0600
    dns, ips = wanted_names(extra_names)
    label = label or socket.gethostname()

    ca, ca_key = _load_cert(folder / CA_CERT), _load_key(folder / CA_KEY)
    if (
        ca is None
        or ca_key is None
        or ca.public_key() != ca_key.public_key()
        or ca.not_valid_after_utc - now < RENEW_BEFORE
        or not _permitted(ca, dns, ips)
    ):
        ca, ca_key = _make_ca(folder, label, dns, ips)

    server, server_key = _load_cert(folder / SERVER_CERT), _load_key(folder / SERVER_KEY)
    if (
        server is None
        or server_key is None
        or server.public_key() != server_key.public_key()
        or server.not_valid_after_utc - now < RENEW_BEFORE
        or certificate_names(server) != (dns, ips)
        or not _signed_by(server, ca)
    ):
        _make_server(folder, ca, ca_key, dns, ips)
    for key in (CA_KEY, SERVER_KEY):
        os.chmod(folder / key, 0o600)
    return TLSFiles(cert=folder / SERVER_CERT, key=folder / SERVER_KEY, ca=folder / CA_CERT)


def user_tls(cert: Path | str, key: Path | str) -> TLSFiles:
    """The trainer's own certificate and key, checked now rather than by a failing proxy."""
    from cryptography import x509

    cert, key = Path(cert).expanduser().resolve(), Path(key).expanduser().resolve()
    for path in (cert, key):
        if not path.is_file():
            raise ImaginecoleError(
                "The HTTPS file {path} does not exist. Give the path of a PEM certificate and "
                "its key, or leave them out to let the workshop make its own certificate.",
                path=path,
            )
    try:
        certs = x509.load_pem_x509_certificates(cert.read_bytes())
    except (OSError, ValueError) as exc:
        raise ImaginecoleError(
            "The HTTPS certificate {path} is not a PEM certificate ({error}). "
            "Give a file starting with « -----BEGIN CERTIFICATE----- ».",
            path=cert,
            error=exc,
        ) from exc
    private = _load_key(key)
    if private is None:
        raise ImaginecoleError(
            "The HTTPS private key {path} is not an unencrypted PEM key. "
            "Give a file starting with « -----BEGIN PRIVATE KEY----- » (no passphrase).",
            path=key,
        )
    if certs[0].public_key() != private.public_key():
        raise ImaginecoleError(
            "The HTTPS private key {key} does not belong to the certificate {cert}. "
            "Give the key made together with that certificate.",
            key=key,
            cert=cert,
        )
    return TLSFiles(cert=cert, key=key, ca=None)


def fingerprint(cert_path: Path) -> str:
    """SHA-256 fingerprint as browsers and phones show it: AB:CD:…"""
    from cryptography.hazmat.primitives import hashes

    digest = _pem_cert(cert_path).fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in digest)


def spki_sha256(cert_path: Path) -> str:
    """Base64 SHA-256 of the certificate's public key (Chromium's SPKI pin format)."""
    import base64
    import hashlib

    from cryptography.hazmat.primitives import serialization

    spki = (
        _pem_cert(cert_path)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def der_bytes(cert_path: Path) -> bytes:
    """The certificate in DER (.crt/.cer), the form Android and Windows install."""
    from cryptography.hazmat.primitives import serialization

    return _pem_cert(cert_path).public_bytes(serialization.Encoding.DER)


def _pem_cert(path: Path):
    cert = _load_cert(Path(path))
    if cert is None:
        raise ImaginecoleError("Cannot read the certificate {path}.", path=path)
    return cert
