"""The text of a source file: its bytes read, decoded and split into lines as an editor shows
them, and the white space of its values made one.

Only CR, LF and CRLF end a line (``str.splitlines`` also breaks at VT, FF, FS, GS, RS, NEL and
the Unicode line and paragraph separators, which a cell may hold), so that every row keeps the
line number an editor shows.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from osgraph._errors import ConfigurationError, ReadWriteError, SourceError

_WHITESPACE = re.compile(r"\s+")
# What ends a line: CR, LF or CRLF, and nothing else.
_LINE_END = re.compile(r"\r\n|\r|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# What str.splitlines also breaks at: VT, FF, FS, GS, RS, NEL, LINE and PARAGRAPH SEPARATOR.
_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def split_lines(text: str, *, keepends: bool = False) -> list[str]:
    """The lines of ``text``, ended by CR, LF or CRLF only (unlike ``str.splitlines``, which
    also ends them at VT, FF, FS, GS, RS, NEL, U+2028 and U+2029).

    Examples
    --------
    >>> split_lines("a\\vb|c\\r\\nd\\u2028e\\rf\\n")
    ['a\\x0bb|c', 'd\\u2028e', 'f']
    >>> split_lines("a\\x1cb\\r\\n\\nc", keepends=True)
    ['a\\x1cb\\r\\n', '\\n', 'c']
    """
    if _OTHER_LINE_BREAKS.search(text) is None:
        return text.splitlines(keepends)
    if keepends:
        return _LINE.findall(text)
    lines = _LINE_END.split(text)
    if not lines[-1]:  # the text ends with a line break, or is empty
        lines.pop()
    return lines


def display_path(path: Path) -> str:
    """Name a file as the user would: relative to the working folder when it lies inside it."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


def read_text(path: Path, encoding: str | None = None) -> str:
    """The text of the file ``path`` (see :func:`read_bytes` and :func:`decode`)."""
    return decode(read_bytes(path), path, encoding)


def read_bytes(path: Path) -> bytes:
    """The bytes of the file ``path``.

    Raises
    ------
    ReadWriteError
        When the file is missing, is a folder or cannot be read.
    """
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ReadWriteError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ReadWriteError(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise ReadWriteError(f"{path}: cannot be read: {error.strerror}") from None


def decode(data: bytes, path: Path, encoding: str | None) -> str:
    """The text of the bytes of ``path`` in ``encoding`` (default: UTF-8, with or without a
    byte order mark).

    Raises
    ------
    ConfigurationError
        When ``encoding`` is not the name of an encoding Python knows.
    SourceError
        When the bytes are not in the encoding; the message names the line of the first byte
        that is not.
    """
    try:
        return data.decode(encoding or "utf-8-sig")
    except LookupError:
        raise ConfigurationError(f"{path}: {encoding!r} is not an encoding Python knows") from None
    except UnicodeDecodeError as error:
        # What comes before the byte decodes; its lines end at CR, LF or CRLF, as the reader's.
        before = data[: error.start].decode(encoding or "utf-8-sig", errors="replace")
        line = len(_LINE_END.findall(before)) + 1
        if encoding:
            raise SourceError(
                path,
                f"is not {encoding} (byte 0x{data[error.start]:02x} cannot be decoded)",
                line=line,
            ) from None
        raise SourceError(
            path,
            f"is not UTF-8 (byte 0x{data[error.start]:02x} cannot be decoded); name its "
            "encoding, for example --encoding gb18030 for a Chinese file, or convert it to UTF-8",
            line=line,
        ) from None


def normalise_whitespace(text: str) -> str:
    """``text`` with each run of white space one space, none around it, in Unicode NFC.

    Examples
    --------
    >>> normalise_whitespace("  Tsinghua \\t University ")
    'Tsinghua University'
    """
    # Most values are already normal: printable ASCII (NFC leaves it as it is) with single
    # spaces inside and none around.
    if text.isascii() and text.isprintable() and "  " not in text and text.strip() == text:
        return text
    return unicodedata.normalize("NFC", _WHITESPACE.sub(" ", text).strip())
