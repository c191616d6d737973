"""The one error an ONISEP import raises: it names the file, the record and the element."""


class RecordError(Exception):
    """A problem inside one record, raised while reading it; the reader adds the file and the record."""

    def __init__(self, element: str, message: str) -> None:
        super().__init__(message)
        self.element = element
        self.message = message


class OnisepImportError(Exception):
    """The import refused the export; the database is left exactly as it was.

    The message (French) is meant for counsellors: `manage.py import_onisep` prints it and exits with a
    non-zero status, the admin shows it above the upload form.
    """

    def __init__(self, message: str, *, file: str = "", record: str = "", element: str = "") -> None:
        self.file = file
        self.record = record
        self.element = element
        self.message = message
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"fichier {self.file}")
        if self.record:
            where.append(f"fiche {self.record}")
        if self.element:
            where.append(f"élément <{self.element}>")
        prefix = ", ".join(where)
        return f"{prefix[:1].upper()}{prefix[1:]} : {self.message}" if prefix else self.message
