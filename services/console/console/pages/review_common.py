"""What the operators' review pages share: reading a decision form into the body review
accepts, and a refusal's messages keyed by the form's fields.

Review answers a rule broken in substance (a rejection without a reason, R-REV-3; a return
for information naming nothing, R-REV-13) with `issues: [{field, problem}]` rather than
the validation `errors` `ServiceProblem.fields` reads: both are shown beside their field.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from console.services import ServiceProblem

#: The decisions an operator takes on a stage (review's `StageDecision`), as people say them.
DECISIONS = {
    "approve": "approved",
    "reject": "rejected",
    "needs_info": "returned for information",
}
#: How many items a return for information offers to fill (blank rows are left out).
INFO_ROWS = 3


def field_errors(problem: ServiceProblem | None) -> dict[str, str]:
    """Each field's message (`ServiceProblem.fields`). An item of a return for information
    (`items[0].field`) is shown on the items as a whole."""
    if problem is None:
        return {}
    errors = dict(problem.fields)
    for part in ("field", "problem"):
        if part in errors:
            errors.setdefault("items", f"Each item needs both parts: {errors.pop(part)}")
    return errors


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def info_items(form: FormData) -> list[dict[str, str]]:
    """The filled rows of a return for information (R-REV-13), each `{field, problem}`; a
    row half filled is sent as it is, for review to say what it lacks."""
    fields = [str(value) for value in form.getlist("item_field")]
    problems = [str(value) for value in form.getlist("item_problem")]
    rows = zip(fields, problems, strict=False)
    return [
        {"field": field.strip(), "problem": problem.strip()}
        for field, problem in rows
        if field.strip() or problem.strip()
    ]


def stage_decision(form: FormData) -> dict[str, Any]:
    """The body of a stage's review (`StageReviewBody`): its stage, the decision, a reason
    (required to reject, R-REV-3) and the items to supply (with `needs_info`, R-REV-13)."""
    decision = _text(form, "decision")
    body: dict[str, Any] = {"stage": _text(form, "stage"), "decision": decision}
    body["reason"] = _text(form, "reason") or None
    if decision == "needs_info":
        body["items"] = info_items(form)
    return body


def typed(form: FormData | None) -> dict[str, Any]:
    """What the operator typed, to show again beside a refusal: nothing is lost."""
    if form is None:
        return {}
    return {
        "reason": _text(form, "reason"),
        "body": _text(form, "body"),
        "item_field": [str(value) for value in form.getlist("item_field")],
        "item_problem": [str(value) for value in form.getlist("item_problem")],
    }


def decided_message(subject: str, body: dict[str, Any]) -> str:
    """The flash after a decision, e.g. `The background stage is approved.`"""
    done = DECISIONS.get(str(body.get("decision")), str(body.get("decision")))
    stage = body.get("stage")
    return f"The {stage} stage of {subject} is {done}." if stage else f"{subject} is {done}."
