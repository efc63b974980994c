"""JSON logs carry the correlation id in scope."""

from __future__ import annotations

import json
import logging

from shared.logs import JsonFormatter, correlation_scope


def test_a_log_line_is_json_with_the_correlation_id() -> None:
    formatter = JsonFormatter("orders")
    record = logging.LogRecord(
        "orders", logging.INFO, __file__, 1, "order %s placed", ("o-1",), None
    )
    with correlation_scope("o-1"):
        line = json.loads(formatter.format(record))
    assert line["message"] == "order o-1 placed"
    assert (line["service"], line["level"], line["correlation_id"]) == ("orders", "info", "o-1")
    assert line["time"].endswith("Z")
    assert json.loads(formatter.format(record))["correlation_id"] is None
