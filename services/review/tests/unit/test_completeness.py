"""R-REV-2, R-REV-4, R-LOG-2: what makes a store application complete."""

from __future__ import annotations

from review.domain.application import DocumentRef, completeness_issues
from review.domain.issues import Issue
from shared.policy import Policy
from testkit.factories import a_warehouse
from testkit.review_unit import an_application


def document(filename: str, content_type: str, kind: str = "other", size: int = 10) -> DocumentRef:
    return DocumentRef(kind=kind, filename=filename, content_type=content_type, size_bytes=size)


LICENCE = document("licence.pdf", "application/pdf", kind="business_license", size=1)
ID_DOCUMENT = document("id.png", "image/png", kind="id_document", size=1)


def fields(issues: list[Issue]) -> list[str]:
    return [issue.field for issue in issues]


def test_complete_applications_have_no_issue(policy: Policy) -> None:  # R-REV-4
    assert completeness_issues(an_application("full_managed"), policy) == []
    assert completeness_issues(an_application("semi_managed"), policy) == []


def test_full_managed_needs_licence_and_identity_document(
    policy: Policy,
) -> None:  # R-REV-2, R-REV-4
    issues = completeness_issues(an_application(documents=[]), policy)
    assert fields(issues) == ["documents", "documents"]
    assert "business_license" in issues[0].problem
    assert "id_document" in issues[1].problem


def test_semi_managed_also_needs_warehouse_proof(policy: Policy) -> None:  # R-REV-4, R-LOG-2
    application = an_application("semi_managed", documents=[LICENCE, ID_DOCUMENT])
    issues = completeness_issues(application, policy)
    assert fields(issues) == ["documents"]
    assert "warehouse_proof" in issues[0].problem


def test_only_pdf_jpeg_png_are_accepted(policy: Policy) -> None:  # R-REV-4
    word = document("notes.docx", "application/msword")
    issues = completeness_issues(an_application(documents=[LICENCE, ID_DOCUMENT, word]), policy)
    assert fields(issues) == ["documents[2].content_type"]
    assert "PDF, JPEG or PNG" in issues[0].problem


def test_extension_must_match_content_type(policy: Policy) -> None:  # R-REV-4
    disguised = document("id.png", "application/pdf", kind="id_document")
    jpeg = document("Photo.JPEG", "image/jpeg")
    issues = completeness_issues(an_application(documents=[LICENCE, disguised, jpeg]), policy)
    assert fields(issues) == ["documents[1].filename"]
    assert ".pdf" in issues[0].problem


def test_document_above_policy_size_is_returned(policy: Policy) -> None:  # R-REV-4, R-POL-1
    at_limit = LICENCE.model_copy(update={"size_bytes": policy.document_max_bytes})
    too_big = ID_DOCUMENT.model_copy(update={"size_bytes": policy.document_max_bytes + 1})
    issues = completeness_issues(an_application(documents=[at_limit, too_big]), policy)
    assert fields(issues) == ["documents[1].size_bytes"]


def test_size_limit_follows_the_policy() -> None:  # R-POL-1, R-REV-10
    application = an_application()
    assert completeness_issues(application, Policy(document_max_bytes=100)) != []
    assert completeness_issues(application, Policy(document_max_bytes=10**9)) == []


def test_empty_file_and_unknown_kind_are_returned(policy: Policy) -> None:  # R-REV-4
    empty = document("a.png", "image/png", kind="selfie", size=0)
    issues = completeness_issues(an_application(documents=[LICENCE, ID_DOCUMENT, empty]), policy)
    assert fields(issues) == ["documents[2].kind", "documents[2].size_bytes"]


def test_contract_must_be_signed(policy: Policy) -> None:  # R-REV-2
    issues = completeness_issues(an_application(contract_signed=False), policy)
    assert fields(issues) == ["contract_signed"]


def test_malformed_licence_number_is_returned(policy: Policy) -> None:  # R-REV-4
    for bad in ("12345", "91350100M000100I43", "91350100m000100y43", "9135010XM000100Y43"):
        issues = completeness_issues(an_application(business_license_no=bad), policy)
        assert fields(issues) == ["business_license_no"], bad


def test_malformed_email_is_returned(policy: Policy) -> None:  # R-REV-4
    for bad in ("", "ops", "ops@localhost", "a b@c.com", "a@@b.com"):
        issues = completeness_issues(an_application(contact_email=bad), policy)
        assert fields(issues) == ["contact_email"], bad


def test_blank_names_and_categories_are_returned(policy: Policy) -> None:  # R-REV-4
    issues = completeness_issues(an_application(name=" ", company_name=""), policy)
    assert fields(issues) == ["name", "company_name"]
    issues = completeness_issues(an_application(categories=[]), policy)
    assert fields(issues) == ["categories"]
    issues = completeness_issues(an_application(categories=["home", " "]), policy)
    assert fields(issues) == ["categories[1]"]


def test_semi_managed_needs_a_warehouse_and_handling_days(policy: Policy) -> None:  # R-LOG-2
    application = an_application("semi_managed", warehouse=None, handling_days=None)
    issues = completeness_issues(application, policy)
    assert fields(issues) == ["handling_days", "warehouse"]


def test_handling_days_must_be_a_policy_option(policy: Policy) -> None:  # R-LOG-2, R-POL-1
    outside = max(policy.semi_handling_days_options) + 1
    issues = completeness_issues(an_application("semi_managed", handling_days=outside), policy)
    assert fields(issues) == ["handling_days"]
    for days in policy.semi_handling_days_options:
        application = an_application("semi_managed", handling_days=days)
        assert completeness_issues(application, policy) == []
    assert completeness_issues(application, Policy(semi_handling_days_options=(days + 1,))) != []


def test_warehouse_timezone_must_be_iana(policy: Policy) -> None:  # R-LOG-2, R-LOG-3
    for bad in ("Mars/Olympus", "GMT+25", "../etc/passwd"):
        warehouse = a_warehouse(timezone=bad)
        issues = completeness_issues(an_application("semi_managed", warehouse=warehouse), policy)
        assert fields(issues) == ["warehouse.timezone"], bad


def test_full_managed_takes_no_warehouse_or_handling_days(
    policy: Policy,
) -> None:  # R-REV-4: the platform warehouses and ships full-managed goods
    semi = an_application("semi_managed")
    application = an_application(warehouse=semi.warehouse, handling_days=1)
    assert fields(completeness_issues(application, policy)) == ["warehouse", "handling_days"]


def test_every_issue_is_reported_at_once(
    policy: Policy,
) -> None:  # R-REV-4: the merchant corrects everything in one go
    application = an_application(
        "semi_managed",
        documents=[],
        contract_signed=False,
        contact_email="nope",
        business_license_no="x",
        warehouse=None,
    )
    issues = completeness_issues(application, policy)
    assert len(issues) == 7
    assert all(issue.problem for issue in issues)
