"""A ready ledger: bootstrap of the consortium and demo data made through the product's own paths.

* :func:`bootstrap_consortium` deploys the ledger if none is recorded, creates the members' encrypted
  keystores (consortium admin, two banks, a regulator, a government, three oracles) under
  ``<data_dir>/keys`` with one development password, grants roles, allow-lists and funds them.
* :func:`load_demo` onboards institutions (OCR, oracles, bank audit), funds donors, and plays every flow.
* The demo logins are recorded in ``<data_dir>/demo-logins.json`` (:func:`read_logins`).

CLI: ``python -m api.bootstrap consortium``, ``python -m api.bootstrap demo``, ``python -m api.bootstrap logins``.
Both steps are idempotent.
"""

from __future__ import annotations

from api.bootstrap.consortium import MEMBERS, Bootstrapped, Member, bootstrap_consortium, open_wallets
from api.bootstrap.demo import DemoError, DemoRecord, load_demo, pass_deadline, read_demo
from api.bootstrap.logins import Login, LoginBook, read_logins
from api.bootstrap.wallets import Wallets, development_password

__all__ = [
    "MEMBERS",
    "Bootstrapped",
    "DemoError",
    "DemoRecord",
    "Login",
    "LoginBook",
    "Member",
    "Wallets",
    "bootstrap_consortium",
    "development_password",
    "load_demo",
    "open_wallets",
    "pass_deadline",
    "read_demo",
    "read_logins",
]
