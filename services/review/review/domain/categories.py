"""R-REV-11: stores and products name categories by the codes of the platform's list
(`shared.categories`); anything else is refused (422) with the codes to use."""

from __future__ import annotations

from collections.abc import Sequence

from review.domain.errors import Invalid
from review.domain.issues import Issue
from shared.categories import CategoryList


def check_store_categories(named: Sequence[str], categories: CategoryList) -> None:
    """Refuse (`Invalid`, one issue per entry) the categories of an application that are
    not codes of the list; a blank one is left to the completeness check (R-REV-4)."""
    issues = [
        Issue(field=f"categories[{index}]", problem=categories.refusal())
        for index, category in enumerate(named)
        if category.strip() and category not in categories
    ]
    if issues:
        raise Invalid(
            "a store's categories are codes of the platform's category list (GET /categories)",
            issues,
        )


def product_category_issues(
    category: str, store_categories: Sequence[str], categories: CategoryList
) -> list[Issue]:
    """A product's category: a code of the list, and (R-REV-3/8, decided) one its store
    was reviewed for."""
    if category not in categories:
        return [Issue(field="category", problem=categories.refusal())]
    if category not in store_categories:
        return [
            Issue(
                field="category",
                problem="not a category of this store; use one of " + ", ".join(store_categories),
            )
        ]
    return []
