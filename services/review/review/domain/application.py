"""A merchant's application for a store and its completeness check (R-REV-2, R-REV-4).

The pydantic models only check shape and types (a wrong shape is a 422 from the API).
Everything a merchant can get wrong in substance is an `Issue` from
`completeness_issues`: the application is then returned as `needs_info` with every issue
at once, not refused (R-REV-4).
"""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, StrictBool, StrictInt

from review.domain.documents import DocumentRef, ShortText, document_issues
from review.domain.issues import Issue
from shared.contract.types import ContractModel, StoreType, Warehouse
from shared.policy import Policy

__all__ = ["DocumentRef", "Issue", "StoreApplication", "completeness_issues"]

# R-REV-4 (decided): a business licence number is China's 18-character unified social
# credit code (GB 32100-2015): 2 registration characters, a 6-digit region code, then 10
# characters; the letters I, O, Z, S, V never occur. The check digit is not verified.
BUSINESS_LICENSE_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
# R-REV-4: a plausible address (one @, a dotted domain); deliverability is not checked.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class StoreApplication(ContractModel):
    """The body of `POST /stores` and `PUT /stores/{id}` (CONTRACT.md)."""

    store_type: StoreType
    name: ShortText
    company_name: ShortText
    business_license_no: ShortText
    contact_email: ShortText
    categories: Annotated[list[ShortText], Field(max_length=50)]
    documents: Annotated[list[DocumentRef], Field(max_length=50)]
    contract_signed: StrictBool
    warehouse: Warehouse | None = None
    handling_days: StrictInt | None = None


def completeness_issues(application: StoreApplication, policy: Policy) -> list[Issue]:
    """Every reason to return the application to the merchant; empty when complete."""
    issues = _identity_issues(application)
    issues += document_issues(application.store_type, application.documents, policy)
    if not application.contract_signed:
        # R-REV-2: onboarding is documents *and* a signed contract.
        issues.append(Issue(field="contract_signed", problem="sign the store contract"))
    if application.store_type == "semi_managed":
        issues += _semi_managed_issues(application, policy)
    else:
        issues += _full_managed_issues(application)
    return issues


def _identity_issues(application: StoreApplication) -> list[Issue]:
    issues = [
        Issue(field=field, problem=f"the {label} is missing; fill it in")
        for field, label, value in (
            ("name", "store name", application.name),
            ("company_name", "company name", application.company_name),
        )
        if not value.strip()
    ]
    if not BUSINESS_LICENSE_PATTERN.fullmatch(application.business_license_no.strip()):
        issues.append(
            Issue(
                field="business_license_no",
                problem=(
                    "not a unified social credit code; enter the 18 characters (digits and "
                    "capital letters) printed on the business licence"
                ),
            )
        )
    if not EMAIL_PATTERN.fullmatch(application.contact_email.strip()):
        issues.append(
            Issue(field="contact_email", problem="not an e-mail address; enter one like a@b.com")
        )
    if not application.categories:
        issues.append(Issue(field="categories", problem="name at least one product category"))
    for index, category in enumerate(application.categories):
        if not category.strip():
            issues.append(
                Issue(field=f"categories[{index}]", problem="the category is blank; remove it")
            )
    return issues


def _semi_managed_issues(application: StoreApplication, policy: Policy) -> list[Issue]:
    """R-LOG-2: an overseas warehouse and one of the handling times on offer."""
    issues: list[Issue] = []
    options = " or ".join(str(days) for days in policy.semi_handling_days_options)
    if application.handling_days not in policy.semi_handling_days_options:
        issues.append(
            Issue(
                field="handling_days",
                problem=f"a semi-managed store ships within {options} working days; choose one",
            )
        )
    if application.warehouse is None:
        issues.append(
            Issue(
                field="warehouse",
                problem="a semi-managed store ships from its overseas warehouse; give its address",
            )
        )
    elif not _is_iana_timezone(application.warehouse.timezone):
        issues.append(
            Issue(
                field="warehouse.timezone",
                problem=(
                    f"'{application.warehouse.timezone}' is not an IANA time zone; "
                    "use one like Europe/Madrid"
                ),
            )
        )
    return issues


def _full_managed_issues(application: StoreApplication) -> list[Issue]:
    """The platform's warehouse ships full-managed goods: no merchant warehouse applies."""
    issues: list[Issue] = []
    if application.warehouse is not None:
        issues.append(
            Issue(
                field="warehouse",
                problem="a full-managed store uses the platform's warehouse; remove this field",
            )
        )
    if application.handling_days is not None:
        issues.append(
            Issue(
                field="handling_days",
                problem="the platform ships full-managed orders; remove this field",
            )
        )
    return issues


def _is_iana_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
