"""The error every broken rule raises, worded for the person who tried the command."""


class CaseFileError(Exception):
    """A command the rules do not allow; its message says why in the user's words."""
