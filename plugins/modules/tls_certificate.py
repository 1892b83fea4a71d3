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

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.fortytwo.inception.plugins.module_utils.certificates import (
    CERTIFICATE_OPTIONS, CRYPTOGRAPHY_ERROR, certificate_errors, keep_certificate, not_after)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CERTIFICATE_OPTIONS,
            owner=dict(type="int", default=0),
            group=dict(type="int", default=0),
        ),
        supports_check_mode=True,
    )
    if CRYPTOGRAPHY_ERROR:
        module.fail_json(msg=missing_required_lib("cryptography (python3-cryptography)"), exception=CRYPTOGRAPHY_ERROR)
    params = module.params
    error = certificate_errors(params["names"], params["days"], params["renew_days"])
    if error:
        module.fail_json(msg="tls_certificate: " + error)
    try:
        key_made, cert_made, repaired, cert = keep_certificate(
            params["key_path"], params["cert_path"], params["names"], params["days"], params["renew_days"],
            params["owner"], params["group"], module.check_mode)
    except OSError as error:
        module.fail_json(msg="tls_certificate: %s" % (error.strerror or error))
    module.exit_json(changed=bool(key_made or cert_made or repaired), key_made=key_made, certificate_made=cert_made,
                     not_after="" if cert is None else not_after(cert).isoformat())


if __name__ == "__main__":
    main()
