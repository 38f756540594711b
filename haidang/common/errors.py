"""Errors that every domain raises the same way."""


class StaleVersionError(Exception):
    """The record changed since the client read it, so nothing was written.

    Every edited record carries a `version`; a write names the version it was based on, and a
    service that finds another one raises this. The API answers 409 `conflict` (one handler in
    `common.api`); a page keeps what the user typed and shows the record as it is now.
    """

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version
