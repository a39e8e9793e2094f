"""The error every broken rule raises, worded for the person who tried the command."""


class CaseFileError(Exception):
    """A command the rules do not allow; its message says why in the user's words.

    ``field`` names the command's argument the refusal concerns (``meets_on``, ``effective``
    for the entry's own date, ``actions.0.due`` for an item of a list), so a form can show the
    message on that field and the API can name it; None when it concerns the command as a
    whole (the message then stands in the error summary alone)."""

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def field_of(error: BaseException) -> str | None:
    """The command argument a refusal concerns, if it names one."""
    return getattr(error, "field", None)
