"""A multipart/form-data body read as it streams in (R-REV-14): its one file handed on
chunk by chunk as it arrives, never held whole; its few text fields kept, each short.

FastAPI's own form parsing (`UploadFile`) spools the whole file to memory or disk before
the route runs: too late to stop an oversized one, and a second copy of every byte."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from shared.problems import Problem

FILE_FIELD = "file"
#: The most a text field (`kind`) may hold, and the most parts a form may have.
MAX_FIELD_BYTES = 1024
MAX_PARTS = 8


class FileSink(Protocol):
    async def start_file(self, declared_name: str | None) -> None: ...

    async def write(self, chunk: bytes) -> None: ...


def _refused(detail: str, status: int = 422) -> Problem:
    return Problem(detail, status=status, kind="unprocessable", title="Form cannot be read")


class _Parts:
    """The parser's callbacks: what each chunk of the body held, in order."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.arrived: list[tuple[str | None, bytes]] = []  # (file name to start, bytes)
        self.parts = 0
        self._header_name = b""
        self._headers: dict[bytes, bytes] = {}
        self._field: str | None = None
        self._value = b""
        self._in_file = False

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda data, start, end: self._name(data[start:end]),
            "on_header_value": lambda data, start, end: self._header(data[start:end]),
            "on_headers_finished": self._headers_finished,
            "on_part_data": lambda data, start, end: self._data(bytes(data[start:end])),
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise _refused(f"a form of at most {MAX_PARTS} parts: `kind` and `file`")
        self._headers, self._field, self._value, self._in_file = {}, None, b"", False

    def _name(self, data: bytes) -> None:
        self._header_name = data.lower()

    def _header(self, data: bytes) -> None:
        self._headers[self._header_name] = self._headers.get(self._header_name, b"") + data

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name == FILE_FIELD:
            self._in_file = True
            filename = options.get(b"filename")
            self.arrived.append((filename.decode("utf-8", "replace") if filename else "", b""))
        else:
            self._field = name

    def _data(self, data: bytes) -> None:
        if self._in_file:
            self.arrived.append((None, data))
            return
        self._value += data
        if len(self._value) > MAX_FIELD_BYTES:
            raise _refused(f"the field `{self._field}` is longer than {MAX_FIELD_BYTES} bytes")

    def _end(self) -> None:
        if self._field is not None:
            self.fields[self._field] = self._value.decode("utf-8", "replace")


async def read_form(request: Request, sink: FileSink) -> dict[str, str]:
    """The form's text fields; its `file` part handed to `sink` as it arrives."""
    media_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise Problem(
            "Send the document as multipart/form-data, with the fields `kind` and `file`.",
            status=415,
            kind="unsupported-media-type",
            title="Send a form",
        )
    parts = _Parts()
    parser = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            await _hand_on(parts, sink)
        parser.finalize()
    except MultipartParseError as error:
        raise _refused(f"the form is not well-formed multipart/form-data: {error}") from None
    await _hand_on(parts, sink)
    return parts.fields


async def _hand_on(parts: _Parts, sink: FileSink) -> None:
    arrived, parts.arrived = parts.arrived, []
    for start, data in arrived:
        if start is not None:
            await sink.start_file(start)
        elif data:
            await sink.write(data)
