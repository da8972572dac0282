"""The government registry as the oracle sees it: credit codes, records, adapters, a stand-in service.

Public surface (import from the submodules named):

- :mod:`oracle.registry.credit_code`: GB 32100-2015 codes (``validate``, ``is_valid``,
  ``check_character``, ``compose``, ``generate``).
- :mod:`oracle.registry.records`: ``RegistryRecord`` and its signed ``digest()``.
- :mod:`oracle.registry.adapters`: the ``RegistryAdapter`` protocol, ``FileRegistryAdapter``,
  ``HttpRegistryAdapter``.
- :mod:`oracle.registry.dataset`: the seeded synthetic registry (``generate_registry``,
  ``write_registry``, ``read_registry``).
- :mod:`oracle.registry.service`: ``create_registry_app``, the registry's HTTP stand-in.
- :mod:`oracle.registry.certificates`: certificate images rendered from records, for OCR tests.
"""

from oracle.registry.adapters import FileRegistryAdapter, HttpRegistryAdapter, RegistryAdapter
from oracle.registry.records import OrgType, RegistrationStatus, RegistryRecord

__all__ = [
    "FileRegistryAdapter",
    "HttpRegistryAdapter",
    "OrgType",
    "RegistrationStatus",
    "RegistryAdapter",
    "RegistryRecord",
]
