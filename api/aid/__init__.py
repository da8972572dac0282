"""Individual aid [700, 800]: application intake, second key information, authenticity, investigation,
decisions under versioned rules that anyone can recompute, and the hospital paid through matched orders.

The Python API (also behind ``python -m api.aid``):

- :class:`~api.aid.desk.AidDesk`: file an application (documents read, sealed, filed on-chain by salted
  identity hash and digests), gather a decision's evidence, assess it under a rule, record it;
- :class:`~api.aid.treatment.TreatmentPayments`: assign the hospital, pay it through a payment order linked
  to the application, take the applicant's sign-off;
- :func:`~api.aid.engine.assess` (pure: inputs and rule in, scores and outcome out) and
  :func:`~api.aid.recompute.recompute` (does a recorded decision reproduce from its inputs?);
- :class:`~api.aid.rules.RuleLibrary` (strategies A and B as versioned rule documents);
- :func:`~api.aid.reading.ocr_reader`: the OCR reader of ID cards, invoices and diagnosis certificates
  (:class:`~api.aid.schemas.OcrDocumentReader`).

See ``docs/aid.md``.
"""

from api.aid.authenticity import AUTHENTICITY_ITEMS, CheckResult, check_authenticity
from api.aid.desk import AidDesk, ApplicationForm, FiledApplication, RecordedDecision
from api.aid.engine import Assessment, ItemScore, assess
from api.aid.errors import (
    AidError,
    ApplicationInvalid,
    DecisionNotFound,
    DocumentUnreadable,
    InputsInvalid,
    RuleInvalid,
    RuleUnknown,
)
from api.aid.evidence import ApplicationFacts, EvidenceSources, day_of, gather
from api.aid.inputs import DecisionInputs, HospitalEvidence, StatedApplication
from api.aid.key_info import DocumentKind, DocumentReading, FieldValue, SecondKeyInformation
from api.aid.reading import DocumentReader, ocr_reader
from api.aid.recompute import Recomputation, recompute
from api.aid.rules import AidRule, RuleLibrary, Strategy
from api.aid.treatment import TreatmentPayments, treatment_order_document

__all__ = [
    "AUTHENTICITY_ITEMS",
    "AidDesk",
    "AidError",
    "AidRule",
    "ApplicationFacts",
    "ApplicationForm",
    "ApplicationInvalid",
    "Assessment",
    "CheckResult",
    "DecisionInputs",
    "DecisionNotFound",
    "DocumentKind",
    "DocumentReader",
    "DocumentReading",
    "DocumentUnreadable",
    "EvidenceSources",
    "FieldValue",
    "FiledApplication",
    "HospitalEvidence",
    "InputsInvalid",
    "ItemScore",
    "Recomputation",
    "RecordedDecision",
    "RuleInvalid",
    "RuleLibrary",
    "RuleUnknown",
    "SecondKeyInformation",
    "StatedApplication",
    "Strategy",
    "TreatmentPayments",
    "assess",
    "check_authenticity",
    "day_of",
    "gather",
    "ocr_reader",
    "recompute",
    "treatment_order_document",
]
