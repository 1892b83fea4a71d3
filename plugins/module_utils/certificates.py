# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A private key and a self-signed server certificate, checked against what
is wanted and kept, or made again: what tls_certificate does, and
host_files for the certificates of the stack's step."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
import stat
import traceback

from ansible_collections.fortytwo.inception.plugins.module_utils.files import replace_file

CRYPTOGRAPHY_ERROR = None
try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
except ImportError:
    CRYPTOGRAPHY_ERROR = traceback.format_exc()

# A key and its certificate, as tls_certificate and host_files (its
# certificates) take them.
CERTIFICATE_OPTIONS = dict(
    key_path=dict(type="path", required=True, no_log=False),
    cert_path=dict(type="path", required=True),
    names=dict(type="list", elements="str", required=True),
    days=dict(type="int", default=365),
    renew_days=dict(type="int", default=30),
)

KEY_MODE = 0o600
CERT_MODE = 0o644


def _read_regular(path):
    """The bytes of `path` when it is a regular file (not a link), else None."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def load_key(path):
    """The ECDSA P-256 private key at `path`, or None (missing, unreadable, another kind)."""
    data = _read_regular(path)
    if data is None:
        return None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        return None
    return key


def not_after(cert):
    """The certificate's expiry, an aware UTC datetime (any cryptography version)."""
    value = getattr(cert, "not_valid_after_utc", None)
    return value if value is not None else cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)


def _public(key):
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def certificate_fits(path, key, names, renew_days, now):
    """The certificate at `path` when it is signed by `key`, for exactly
    `names` (the first as its common name), not a CA's, and valid beyond
    `renew_days` days from `now`; else None."""
    data = _read_regular(path)
    if data is None or key is None:
        return None
    try:
        cert = x509.load_pem_x509_certificate(data)
        common = [attribute.value for attribute in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
        dns = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName)
        ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (ValueError, x509.ExtensionNotFound):
        return None
    if _public(cert.public_key()) != _public(key.public_key()) or common != [names[0]] \
            or sorted(dns) != sorted(names) or ca or not_after(cert) - now <= datetime.timedelta(days=renew_days):
        return None
    return cert


def make_key():
    return ec.generate_private_key(ec.SECP256R1())


def key_bytes(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_certificate(key, names, days, now):
    """A self-signed server certificate for `names`, valid `days` days from `now`."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=True, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=days))
               .add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(usage, critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    return builder.sign(key, hashes.SHA256())


def attributes_differ(path, mode, owner, group):
    try:
        info = os.lstat(path)
    except OSError:
        return True
    return stat.S_IMODE(info.st_mode) != mode or (info.st_uid, info.st_gid) != (owner, group)


def certificate_errors(names, days, renew_days):
    """What is wrong with a certificate's request, or an empty string."""
    if not [name for name in names if name] or days < 1 or renew_days < 0:
        return ("give at least one name, days >= 1 and renew_days >= 0 (names %r, days %s, renew_days %s)"
                % (names, days, renew_days))
    return ""


def keep_certificate(key_path, cert_path, names, days=365, renew_days=30, owner=0, group=0, check_mode=False):
    """Keep the key and the certificate when they are what is wanted, make
    again what is not, repair owners and modes: (key_made, cert_made,
    repaired, cert), `repaired` the kept files whose owner or mode were
    wrong, `cert` the certificate in place (None in check mode when it would
    be made). Raises OSError where a file cannot be written."""
    names = [name for name in names if name]
    renew_days = min(renew_days, days // 2)
    now = datetime.datetime.now(datetime.timezone.utc)
    key = load_key(key_path)
    cert = certificate_fits(cert_path, key, names, renew_days, now)
    key_made, cert_made = key is None, cert is None
    # A file made below is written with its owner and mode: only a kept one may need them repaired.
    repaired = [(path, mode) for path, mode, made in ((key_path, KEY_MODE, key_made), (cert_path, CERT_MODE, cert_made))
                if not made and attributes_differ(path, mode, owner, group)]
    if not check_mode:
        if key_made:
            key = make_key()
            replace_file(key_path, key_bytes(key), KEY_MODE, owner, group)
        if cert_made:
            cert = make_certificate(key, names, days, now)
            replace_file(cert_path, cert.public_bytes(serialization.Encoding.PEM), CERT_MODE, owner, group)
        for path, mode in repaired:
            os.chown(path, owner, group)
            os.chmod(path, mode)
    return key_made, cert_made, [path for path, _mode in repaired], cert
