"""The workshop's own HTTPS: its CA, the hub's certificate, when they are made again."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID
from traitlets.config import Config

from imaginecole.hub import tls
from imaginecole.hub.config import HubSettings, apply_workshop
from imaginecole.hub.up import https_enabled, workshop_tls
from imaginecole.i18n import ImaginecoleError
from imaginecole.workshop import load_workshop

EXAMPLES = Path(__file__).parents[2] / "hub_config" / "examples"


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def names(cert: x509.Certificate) -> tuple[set[str], set[str]]:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return (
        set(san.get_values_for_type(x509.DNSName)),
        {str(i) for i in san.get_values_for_type(x509.IPAddress)},
    )


@pytest.fixture
def made(tmp_path) -> tls.TLSFiles:
    return tls.ensure_workshop_tls(tmp_path / "tls", ["ecole.lan", "10.1.2.3"], label="Essai")


def test_the_server_certificate_covers_every_address_of_the_machine(made):
    dns, ips = names(load(made.cert))
    host = socket.gethostname().split(".")[0].lower()
    assert {"localhost", host, f"{host}.local", "ecole.lan"} <= dns
    assert {"127.0.0.1", "10.1.2.3", *tls.machine_addresses()} <= ips
    assert all(not ip.startswith("127.") or ip == "127.0.0.1" for ip in ips)


def test_the_workshop_ca_signs_the_server_certificate(made):
    ca, server = load(made.ca), load(made.cert)
    server.verify_directly_issued_by(ca)  # raises when the signature is wrong
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in usage
    days = lambda c: (c.not_valid_after_utc - c.not_valid_before_utc).days  # noqa: E731
    assert days(ca) >= 3650 and days(server) <= 826  # Apple refuses longer server certificates
    # the full chain verifies as a TLS client would check it, for a LAN address
    from cryptography.x509.verification import PolicyBuilder, Store

    verifier = (
        PolicyBuilder()
        .store(Store([ca]))
        .build_server_verifier(x509.IPAddress(ipaddress.ip_address("10.1.2.3")))
    )
    verifier.verify(server, [])


def test_the_ca_can_vouch_for_local_names_only(made):
    from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

    ca = load(made.ca)
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    # a certificate for a public site made with the workshop CA's key is rejected
    key = serialization.load_pem_private_key(made.ca.with_name(tls.CA_KEY).read_bytes(), None)
    rogue = x509.CertificateBuilder(
        subject_name=x509.Name([]),
        issuer_name=ca.subject,
        public_key=load(made.cert).public_key(),
        serial_number=1,
        not_valid_before=ca.not_valid_before_utc,
        not_valid_after=ca.not_valid_before_utc + dt.timedelta(days=30),
        extensions=[],
    )
    rogue = rogue.add_extension(
        x509.SubjectAlternativeName([x509.DNSName("bank.example.com")]), critical=False
    ).sign(key, hashes.SHA256())
    verifier = (
        PolicyBuilder().store(Store([ca])).build_server_verifier(x509.DNSName("bank.example.com"))
    )
    with pytest.raises(VerificationError):
        verifier.verify(rogue, [])


def test_private_keys_are_readable_by_their_owner_only(made):
    for key in (made.key, made.ca.with_name(tls.CA_KEY)):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(made.ca.stat().st_mode) == 0o644


def test_nothing_is_made_again_when_nothing_changed(tmp_path, made):
    before = (made.ca.read_bytes(), made.cert.read_bytes(), made.key.read_bytes())
    again = tls.ensure_workshop_tls(tmp_path / "tls", ["ecole.lan", "10.1.2.3"])
    assert (again.ca.read_bytes(), again.cert.read_bytes(), again.key.read_bytes()) == before


def test_a_new_name_remakes_the_server_certificate_and_keeps_the_ca(tmp_path, made):
    ca_before, server_before = made.ca.read_bytes(), made.cert.read_bytes()
    again = tls.ensure_workshop_tls(tmp_path / "tls", ["ecole.lan", "10.1.2.3", "salle-b.lan"])
    assert again.ca.read_bytes() == ca_before
    assert again.cert.read_bytes() != server_before
    assert "salle-b.lan" in names(load(again.cert))[0]
    load(again.cert).verify_directly_issued_by(load(again.ca))


def test_a_certificate_near_expiry_is_made_again(tmp_path, made):
    ca_before, server_before = made.ca.read_bytes(), made.cert.read_bytes()
    later = load(made.cert).not_valid_after_utc - dt.timedelta(days=10)
    again = tls.ensure_workshop_tls(tmp_path / "tls", ["ecole.lan", "10.1.2.3"], now=later)
    assert again.cert.read_bytes() != server_before
    assert again.ca.read_bytes() == ca_before


def test_a_broken_ca_is_made_again_with_its_server_certificate(tmp_path, made):
    made.ca.with_name(tls.CA_KEY).write_text("not a key")
    again = tls.ensure_workshop_tls(tmp_path / "tls", ["ecole.lan", "10.1.2.3"])
    load(again.cert).verify_directly_issued_by(load(again.ca))
    assert stat.S_IMODE(again.ca.with_name(tls.CA_KEY).stat().st_mode) == 0o600


def test_fingerprint_and_der_match_the_ca(made):
    ca = load(made.ca)
    assert (
        tls.fingerprint(made.ca).replace(":", "").lower() == ca.fingerprint(hashes.SHA256()).hex()
    )
    assert x509.load_der_x509_certificate(tls.der_bytes(made.ca)) == ca


def test_the_trainers_own_certificate_is_checked(tmp_path, made):
    own = tls.user_tls(made.cert, made.key)
    assert own.ca is None and own.trust == made.cert
    with pytest.raises(ImaginecoleError, match="does not exist") as missing:
        tls.user_tls(tmp_path / "absent.pem", made.key)
    assert "absent.pem" in str(missing.value)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("hello")
    with pytest.raises(ImaginecoleError, match="not a PEM certificate"):
        tls.user_tls(garbage, made.key)
    with pytest.raises(ImaginecoleError, match="not an unencrypted PEM key"):
        tls.user_tls(made.cert, garbage)
    # the CA's key is a real key, but not the one of the server certificate
    with pytest.raises(ImaginecoleError, match="does not belong"):
        tls.user_tls(made.cert, made.ca.with_name(tls.CA_KEY))


def test_https_auto_is_on_beyond_loopback_only():
    assert not https_enabled("auto", "127.0.0.1")
    assert not https_enabled("auto", "localhost")
    assert https_enabled("auto", "0.0.0.0")
    assert https_enabled("auto", "192.168.1.10")
    assert https_enabled("on", "127.0.0.1")
    assert not https_enabled("off", "0.0.0.0")


def test_workshop_file_names_and_own_certificate(tmp_path, made):
    text = (EXAMPLES / "demo-workshop.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "atelier"
    folder.mkdir()
    for extra in EXAMPLES.glob("*.csv"):
        (folder / extra.name).write_bytes(extra.read_bytes())
    (folder / "w.yaml").write_text(text + "https:\n  names: [atelier.lan]\n", encoding="utf-8")
    made_here = workshop_tls(load_workshop(folder / "w.yaml"), tmp_path / "data", names=["x.lan"])
    assert {"atelier.lan", "x.lan"} <= names(load(made_here.cert))[0]

    (folder / "own.yaml").write_text(
        text + f"https:\n  cert: {made.cert}\n  key: missing-key.pem\n", encoding="utf-8"
    )
    with pytest.raises(ImaginecoleError, match="missing-key.pem"):
        workshop_tls(load_workshop(folder / "own.yaml"), tmp_path / "data")


def test_the_hub_serves_https_and_the_ca_page(tmp_path, made):
    workshop = load_workshop(EXAMPLES / "demo-workshop.yaml")
    c = Config()
    settings = HubSettings(data_dir=tmp_path, ip="0.0.0.0", tls=made, redirect_port=8080)
    apply_workshop(c, workshop, settings)
    assert (c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key) == (str(made.cert), str(made.key))
    assert c.ConfigurableHTTPProxy.command[-2:] == ["--redirect-port", "8080"]
    assert c.JupyterHub.template_vars["ca_page_url"] == "/hub/imaginecole/ca"
    assert [h[0] for h in c.JupyterHub.extra_handlers][0] == r"/imaginecole/ca"
    # hub, services and servers stay plain HTTP on 127.0.0.1 behind the proxy
    assert c.JupyterHub.hub_ip == "127.0.0.1"
    assert c.ConfigurableHTTPProxy.api_url.startswith("http://127.0.0.1:")
    again = HubSettings.from_environ(settings.environ())
    assert again.tls == made and again.redirect_port == 8080

    plain = Config()
    apply_workshop(plain, workshop, HubSettings(data_dir=tmp_path))
    assert "ssl_cert" not in plain.JupyterHub and "extra_handlers" not in plain.JupyterHub
    assert "ca_page_url" not in plain.JupyterHub.template_vars
    assert HubSettings.from_environ(HubSettings(data_dir=tmp_path).environ()).tls is None
