#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A domain's private key and self-signed certificate, checked and kept (or
made) in one module call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: tls_certificate
short_description: Keep a private key and a self-signed server certificate for some names, in one call
version_added: 0.2.0
description:
  - Reads the private key at O(key_path) and the certificate at O(cert_path) and keeps both when they are what is
    wanted; makes again what is not, in one module call (where C(community.crypto.openssl_privatekey),
    C(openssl_csr) and C(x509_certificate) made three, each a Python start on the host and a module to ship on
    every run).
  - The key is an ECDSA P-256 key, 0600. A key that is missing, unreadable or of another kind is made again, and
    so is the certificate.
  - The certificate is self-signed with that key (SHA-256), 0644, for O(names) (the first is its subject's common
    name, all are its subjectAltName DNS names), a server's, not a CA's (basicConstraints C(CA:FALSE) critical; key
    usage digitalSignature and keyAgreement, critical; extended key usage serverAuth). One that is missing,
    unreadable, signed by another key, for other names, a CA's, or that expires within O(renew_days) is made again,
    valid O(days) days.
  - Each file is written beside its place and renamed over it (a reader never sees half of one; a link there is
    replaced, not followed). Owner, group and mode are repaired where they differ.
requirements:
  - cryptography (Debian's python3-cryptography) on the host.
options:
  key_path:
    description: The private key (PEM, unencrypted).
    type: path
    required: true
  cert_path:
    description: The certificate (PEM).
    type: path
    required: true
  names:
    description: The DNS names the certificate is for; the first is its subject's common name.
    type: list
    elements: str
    required: true
  days:
    description: How long a certificate made here is valid, in days.
    type: int
    default: 365
  renew_days:
    description: A certificate that expires within this many days (at most half of O(days)) is made again.
    type: int
    default: 30
  owner:
    description: Numeric owner of both files (the host uid container root is, under user-namespace remapping).
    type: int
    default: 0
  group:
    description: Numeric group of both files.
    type: int
    default: 0
attributes:
  check_mode:
    description: Says what it would make or repair, writes nothing.
    support: full
  diff_mode:
    description: Gives no diff.
    support: none
seealso:
  - module: community.crypto.x509_certificate
author:
  - fortytwo.inception maintainers (@fortytwo)
"""

EXAMPLES = r"""
- name: Keep the key and the self-signed certificate of jdoe.42.fr
  fortytwo.inception.tls_certificate:
    key_path: /opt/inception/tls/jdoe.42.fr.key
    cert_path: /opt/inception/tls/jdoe.42.fr.crt
    names: [jdoe.42.fr]
    days: 365
"""

RETURN = r"""
key_made:
  description: Whether the key was made (again); in check mode, whether it would be.
  returned: always
  type: bool
certificate_made:
  description: Whether the certificate was made (again); in check mode, whether it would be.
  returned: always
  type: bool
not_after:
  description: When the certificate in place expires (ISO 8601, UTC); empty in check mode when it would be made.
  returned: always
  type: str
"""

import datetime
import os
import stat
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.fortytwo.inception.plugins.module_utils.files import replace_file

CRYPTOGRAPHY_ERROR = None
try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
except ImportError:
    CRYPTOGRAPHY_ERROR = traceback.format_exc()

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


def main():
    module = AnsibleModule(
        argument_spec=dict(
            key_path=dict(type="path", required=True, no_log=False),
            cert_path=dict(type="path", required=True),
            names=dict(type="list", elements="str", required=True),
            days=dict(type="int", default=365),
            renew_days=dict(type="int", default=30),
            owner=dict(type="int", default=0),
            group=dict(type="int", default=0),
        ),
        supports_check_mode=True,
    )
    if CRYPTOGRAPHY_ERROR:
        module.fail_json(msg=missing_required_lib("cryptography (python3-cryptography)"), exception=CRYPTOGRAPHY_ERROR)
    params = module.params
    names = [name for name in params["names"] if name]
    if not names or params["days"] < 1 or params["renew_days"] < 0:
        module.fail_json(msg="tls_certificate: give at least one name, days >= 1 and renew_days >= 0 (names %r, "
                             "days %s, renew_days %s)" % (params["names"], params["days"], params["renew_days"]))
    renew_days = min(params["renew_days"], params["days"] // 2)
    now = datetime.datetime.now(datetime.timezone.utc)
    key = load_key(params["key_path"])
    cert = certificate_fits(params["cert_path"], key, names, renew_days, now)
    key_made, cert_made = key is None, cert is None
    owner, group = params["owner"], params["group"]
    # A file made below is written with its owner and mode: only a kept one may need them repaired.
    repaired = [(path, mode) for path, mode, made in ((params["key_path"], KEY_MODE, key_made),
                                                      (params["cert_path"], CERT_MODE, cert_made))
                if not made and attributes_differ(path, mode, owner, group)]
    if module.check_mode:
        module.exit_json(changed=bool(key_made or cert_made or repaired), key_made=key_made,
                         certificate_made=cert_made, not_after="" if cert is None else not_after(cert).isoformat())
    try:
        if key_made:
            key = make_key()
            replace_file(params["key_path"], key_bytes(key), KEY_MODE, owner, group)
        if cert_made:
            cert = make_certificate(key, names, params["days"], now)
            replace_file(params["cert_path"], cert.public_bytes(serialization.Encoding.PEM), CERT_MODE, owner, group)
        for path, mode in repaired:
            os.chown(path, owner, group)
            os.chmod(path, mode)
    except OSError as error:
        module.fail_json(msg="tls_certificate: %s" % (error.strerror or error))
    module.exit_json(changed=bool(key_made or cert_made or repaired), key_made=key_made, certificate_made=cert_made,
                     not_after=not_after(cert).isoformat())


if __name__ == "__main__":
    main()
