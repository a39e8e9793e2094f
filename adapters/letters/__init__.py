"""Letters rendered from their words: the LA's templates (or the defaults shipped here) as PDF
through WeasyPrint, or as a Word document an officer edits before sending."""

from __future__ import annotations

import hashlib
import io
import threading
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    meta,
    select_autoescape,
)

from application.letters import Letterhead
from domain.areas.documents import LETTERS

DEFAULTS = Path(__file__).parent / "templates"
LETTERHEAD = "letterhead.toml"
FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""Every part of a Word file dated alike, so that the same letter gives the same bytes."""


class LetterTemplateError(Exception):
    """A letter that cannot be rendered, in words naming the template file at fault."""


@dataclass(frozen=True)
class RenderedLetter:
    content: bytes
    template: str
    """The template's file name (the kind's own: ``warning-notice-s60.html``)."""
    template_version: str
    """SHA-256 (hex) of the template files used, so the record says which wording it was."""
    media_type: str
    extension: str


class LetterTemplates:
    """The letter templates: a file in the LA's ``override`` folder replaces the default of
    the same name (``<kind>.html``, ``base.html``, ``<kind>.docx``, ``letterhead.toml``)."""

    def __init__(self, override: Path | None = None) -> None:
        if override is not None and not Path(override).is_dir():
            raise LetterTemplateError(f"The letter templates folder {override} does not exist")
        self.folders = [Path(override)] if override is not None else []
        self.folders.append(DEFAULTS)
        self._html = Environment(
            loader=ChoiceLoader([FileSystemLoader(f) for f in self.folders]),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        )
        self._fonts: Any = None
        self._fonts_lock = threading.Lock()

    def letterhead(self) -> Letterhead:
        """The LA's details, from the first ``letterhead.toml`` found."""
        path = self._file(LETTERHEAD)
        try:
            fields = tomllib.loads(path.read_text(encoding="utf-8"))
            return Letterhead(
                authority=fields["authority"], address=tuple(fields.get("address", ())),
                signatory=fields["signatory"], signatory_role=fields["signatory_role"],
                phone=fields.get("phone", ""), email=fields.get("email", ""),
                website=fields.get("website", ""))
        except tomllib.TOMLDecodeError as error:
            raise LetterTemplateError(f"{path} is not a valid TOML file: {error}") from None
        except KeyError as error:
            raise LetterTemplateError(
                f"{path} must give the {error.args[0].replace('_', ' ')} "
                "(authority, address, signatory and signatory_role)") from None
        except ValueError as error:
            raise LetterTemplateError(f"{path}: {error}") from None

    def render(self, kind: str, fmt: str, context: dict[str, Any]) -> RenderedLetter:
        """The letter of ``kind`` as a PDF (``fmt`` "pdf") or Word document ("docx")."""
        if kind not in LETTERS:
            raise LetterTemplateError(
                f"scc has no letter called {kind!r}; it has: {', '.join(LETTERS)}")
        if fmt not in FORMATS:
            raise LetterTemplateError(
                f"A letter is rendered as PDF or Word (\"pdf\" or \"docx\"), not {fmt!r}")
        media_type, extension = FORMATS[fmt]
        if fmt == "pdf":
            name, content, used = self._pdf(kind, context)
        else:
            name, content, used = self._docx(kind, context)
        return RenderedLetter(content, name, _version(used), media_type, extension)

    # PDF ------------------------------------------------------------------------------------

    def _pdf(self, kind: str, context: dict[str, Any]) -> tuple[str, bytes, list[Path]]:
        from weasyprint import HTML  # loads Pango: only when a letter is rendered

        name = f"{kind}.html"
        used = self._html_files(name)
        try:
            html = self._html.get_template(name).render(**context)
        except UndefinedError as error:
            raise LetterTemplateError(
                f"The letter template {_names(used)} uses something the letter does not "
                f"have: {error}") from None
        except TemplateError as error:
            raise LetterTemplateError(f"The letter template {_names(used)}: {error}") from None
        with self._fonts_lock:  # one Pango font map, used by one render at a time
            if self._fonts is None:
                from weasyprint.text.fonts import FontConfiguration

                self._fonts = FontConfiguration()
            pdf = HTML(string=html, base_url=str(used[0].parent)).write_pdf(
                font_config=self._fonts)
        return name, pdf, used

    def _html_files(self, name: str) -> list[Path]:
        """The template ``name`` and every template it extends or includes, as found."""
        used: list[Path] = []
        pending = [name]
        while pending:
            current = pending.pop(0)
            path = self._file(current)
            if path in used:
                continue
            used.append(path)
            try:
                parsed = self._html.parse(path.read_text(encoding="utf-8"), current, str(path))
            except TemplateSyntaxError as error:
                raise LetterTemplateError(
                    f"The letter template {path} has an error on line {error.lineno}: "
                    f"{error.message}") from None
            pending += [n for n in meta.find_referenced_templates(parsed) if n is not None]
        return used

    # Word -----------------------------------------------------------------------------------

    def _docx(self, kind: str, context: dict[str, Any]) -> tuple[str, bytes, list[Path]]:
        from docxtpl import DocxTemplate

        name = f"{kind}.docx"
        path = self._file(name)
        try:
            document = DocxTemplate(path)
            environment = Environment(undefined=StrictUndefined)
            # docxtpl 0.20 drops "&" and "<" from the words unless it escapes them itself.
            document.render(context, jinja_env=environment, autoescape=True)
            out = io.BytesIO()
            document.save(out)
        except zipfile.BadZipFile:
            raise LetterTemplateError(f"{path} is not a Word document (.docx)") from None
        except UndefinedError as error:
            raise LetterTemplateError(
                f"The letter template {path} uses something the letter does not have: "
                f"{error}") from None
        except TemplateError as error:
            where = f" on line {error.lineno}" if getattr(error, "lineno", None) else ""
            raise LetterTemplateError(
                f"The letter template {path} has an error{where}: {error}") from None
        return name, same_dates(out.getvalue()), [path]

    def _file(self, name: str) -> Path:
        for folder in self.folders:
            if (folder / name).is_file():
                return folder / name
        raise LetterTemplateError(
            f"There is no letter template {name} in {_names(self.folders)}") from TemplateNotFound(
            name)


def same_dates(docx: bytes) -> bytes:
    """A Word file with every part dated alike (Word files are zips, each part dated when
    it was written), so that rendering the same letter twice gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(zipfile.ZipInfo(item.filename, ZIP_DATE), source.read(item),
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _version(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _names(paths: list[Path]) -> str:
    return " and ".join(str(p) for p in paths)
