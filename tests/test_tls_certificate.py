"""plugins/modules/tls_certificate.py (its logic in module_utils/certificates.py,
which host_files shares), run by Ansible on this machine with the host's
Python and its cryptography (root only: owners are set): a key and a
self-signed certificate made once, then kept; made again when damaged, for
other names, signed by another key or about to expire; owners and modes
repaired; a key from community.crypto's openssl_privatekey kept."""
import datetime
import os
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from conftest import owner_mode, run_module
from ansible_collections.fortytwo.inception.plugins.module_utils import certificates

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="owners are set as root")


def certificate(tmp_path, *extra, names=("jdoe.42.fr",), **options):
    args = {"key_path": str(tmp_path / "site.key"), "cert_path": str(tmp_path / "site.crt"),
            "names": list(names), "owner": 100000, "group": 100000, **options}
    return run_module("fortytwo.inception.tls_certificate", args, *extra)


def read(tmp_path):
    cert = x509.load_pem_x509_certificate((tmp_path / "site.crt").read_bytes())
    key = serialization.load_pem_private_key((tmp_path / "site.key").read_bytes(), password=None)
    return cert, key


def test_a_server_certificate_is_made_for_the_names_then_kept(tmp_path):
    first = certificate(tmp_path, names=("jdoe.42.fr", "registry.jdoe.42.fr"), days=365)
    assert first["changed"] and first["key_made"] and first["certificate_made"], first
    cert, key = read(tmp_path)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "jdoe.42.fr"
    assert cert.issuer == cert.subject
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["jdoe.42.fr", "registry.jdoe.42.fr"]
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and not constraints.value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.key_agreement
    assert not usage.value.key_cert_sign
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    left = certificates.not_after(cert) - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(days=364) < left <= datetime.timedelta(days=365)
    assert owner_mode(tmp_path / "site.key") == (100000, 100000, 0o600)
    assert owner_mode(tmp_path / "site.crt") == (100000, 100000, 0o644)
    # openssl agrees: the certificate verifies against itself, for its name.
    verified = subprocess.run(["openssl", "verify", "-CAfile", str(tmp_path / "site.crt"), "-partial_chain",
                               "-verify_hostname", "registry.jdoe.42.fr", str(tmp_path / "site.crt")],
                              capture_output=True, text=True, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    before = (tmp_path / "site.key").read_bytes(), (tmp_path / "site.crt").read_bytes()
    again = certificate(tmp_path, names=("jdoe.42.fr", "registry.jdoe.42.fr"), days=365)
    assert not again["changed"] and not again["key_made"] and not again["certificate_made"]
    assert ((tmp_path / "site.key").read_bytes(), (tmp_path / "site.crt").read_bytes()) == before


def test_a_removed_key_is_made_again_and_so_is_the_certificate(tmp_path):
    certificate(tmp_path)
    _cert, old = read(tmp_path)
    os.unlink(tmp_path / "site.key")
    result = certificate(tmp_path)
    assert result["changed"] and result["key_made"] and result["certificate_made"]
    cert, key = read(tmp_path)
    assert key.private_numbers() != old.private_numbers()
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()


def test_a_certificate_for_other_names_or_another_key_is_made_again_the_key_kept(tmp_path):
    certificate(tmp_path, names=("jdoe.42.fr", "registry.jdoe.42.fr"))
    key_bytes = (tmp_path / "site.key").read_bytes()
    fewer = certificate(tmp_path, names=("jdoe.42.fr",))
    assert fewer["changed"] and not fewer["key_made"] and fewer["certificate_made"]
    cert, _key = read(tmp_path)
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName) == ["jdoe.42.fr"]
    stranger = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "site.crt").write_bytes(certificates.make_certificate(
        stranger, ["jdoe.42.fr"], 365, datetime.datetime.now(datetime.timezone.utc)).public_bytes(
            serialization.Encoding.PEM))
    resigned = certificate(tmp_path)
    assert resigned["certificate_made"] and not resigned["key_made"]
    cert, key = read(tmp_path)
    assert (tmp_path / "site.key").read_bytes() == key_bytes
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()


def test_a_certificate_about_to_expire_is_renewed_and_damage_is_repaired(tmp_path):
    certificate(tmp_path, days=40)
    kept = certificate(tmp_path, days=40, renew_days=30)
    assert not kept["changed"]
    renewed = certificate(tmp_path, days=365, renew_days=45)
    assert renewed["certificate_made"] and not renewed["key_made"]
    cert, _key = read(tmp_path)
    assert certificates.not_after(cert) - datetime.datetime.now(datetime.timezone.utc) > datetime.timedelta(days=364)
    (tmp_path / "site.crt").write_text("not a certificate\n")
    assert certificate(tmp_path)["certificate_made"]
    os.chmod(tmp_path / "site.key", 0o644)
    os.chown(tmp_path / "site.crt", 0, 0)
    checked = certificate(tmp_path, "--check")
    assert checked["changed"] and not checked["key_made"] and not checked["certificate_made"]
    assert owner_mode(tmp_path / "site.key") == (100000, 100000, 0o644)
    repaired = certificate(tmp_path)
    assert repaired["changed"] and not repaired["key_made"] and not repaired["certificate_made"]
    assert owner_mode(tmp_path / "site.key") == (100000, 100000, 0o600)
    assert owner_mode(tmp_path / "site.crt") == (100000, 100000, 0o644)


def test_a_link_in_place_of_the_key_is_replaced_not_followed(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("untouched")
    (tmp_path / "site.key").symlink_to(target)
    result = certificate(tmp_path)
    assert result["key_made"] and not (tmp_path / "site.key").is_symlink()
    assert target.read_text() == "untouched"


def test_a_key_of_another_kind_is_replaced_and_bad_options_are_refused(tmp_path):
    from cryptography.hazmat.primitives.asymmetric import rsa
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "site.key").write_bytes(rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
    assert certificate(tmp_path)["key_made"]
    failed = certificate(tmp_path, names=())
    assert failed.get("failed") and "give at least one name" in failed["msg"]
    failed = certificate(tmp_path, days=0)
    assert failed.get("failed") and "days >= 1" in failed["msg"]


def test_a_key_and_certificate_made_by_community_crypto_are_kept(tmp_path):
    """What a deployment made before this module (openssl_privatekey ECC
    secp256r1, openssl_csr, x509_certificate selfsigned) stays in place."""
    key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "site.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
    csr = tmp_path / "site.csr"
    subprocess.run(["openssl", "req", "-new", "-key", str(tmp_path / "site.key"), "-subj", "/CN=jdoe.42.fr",
                    "-addext", "subjectAltName=DNS:jdoe.42.fr", "-addext", "basicConstraints=critical,CA:FALSE",
                    "-out", str(csr)], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-signkey", str(tmp_path / "site.key"),
                    "-days", "365", "-copy_extensions", "copy", "-out", str(tmp_path / "site.crt")],
                   check=True, capture_output=True)
    os.chown(tmp_path / "site.key", 100000, 100000)
    os.chmod(tmp_path / "site.key", 0o600)
    os.chown(tmp_path / "site.crt", 100000, 100000)
    os.chmod(tmp_path / "site.crt", 0o644)
    result = certificate(tmp_path)
    assert not result["changed"], result


def stack_step(tmp_path, *extra, names=("jdoe.42.fr",), **options):
    """The stack's step: host_files with the stack's certificates."""
    entry = {"key_path": str(tmp_path / "tls" / "site.key"), "cert_path": str(tmp_path / "tls" / "site.crt"),
             "names": list(names), **options}
    args = {"secrets_dir": str(tmp_path / "secrets"), "secrets": {"one": "a secret of sixteen"}, "uid": 100000,
            "gid": 100000, "directories": [{"path": str(tmp_path / "tls"), "mode": "0700"}], "certificates": [entry]}
    return run_module("fortytwo.inception.host_files", args, *extra)


def test_the_stacks_step_keeps_the_certificates_and_names_those_made_again(tmp_path):
    """host_files keeps the certificates as tls_certificate does, in its
    one call (the directory made first), owned by container root; the
    paths it made again or repaired are among files_changed, which the
    service that reads them tests and reloads."""
    key, crt = str(tmp_path / "tls" / "site.key"), str(tmp_path / "tls" / "site.crt")
    first = stack_step(tmp_path, names=("jdoe.42.fr", "registry.jdoe.42.fr"))
    assert first["changed"] and first["files_changed"] == [key, crt], first
    assert owner_mode(key) == (100000, 100000, 0o600) and owner_mode(crt) == (100000, 100000, 0o644)
    cert, made = read(tmp_path / "tls")
    assert cert.public_key().public_numbers() == made.public_key().public_numbers()
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName) == ["jdoe.42.fr", "registry.jdoe.42.fr"]
    kept = stack_step(tmp_path, names=("jdoe.42.fr", "registry.jdoe.42.fr"))
    assert not kept["changed"] and kept["files_changed"] == [], kept
    # Fewer names (the registry gone): the certificate alone is made again.
    fewer = stack_step(tmp_path)
    assert fewer["changed"] and fewer["files_changed"] == [crt], fewer
    os.chmod(key, 0o644)
    checked = stack_step(tmp_path, "--check")
    assert checked["changed"] and checked["files_changed"] == [key] and owner_mode(key)[2] == 0o644
    assert stack_step(tmp_path)["files_changed"] == [key] and owner_mode(key)[2] == 0o600
    os.unlink(key)
    assert stack_step(tmp_path)["files_changed"] == [key, crt]
    failed = stack_step(tmp_path, days=0)
    assert failed.get("failed") and failed["msg"].startswith("certificate %s: " % crt) and "days >= 1" in failed["msg"]
