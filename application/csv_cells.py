"""CSV cells a spreadsheet reads as text, never as a formula (CSV injection, OWASP ASVS 5.0
V1.2.10): every CSV the web app and the command line write goes through ``safe_row``."""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP, "CSV
Injection"): such a text cell is written with a leading apostrophe, which they show as text
and do not display. Numbers are left alone, so a negative count stays a number."""


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in row]
