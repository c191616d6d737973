"""Spreadsheet export and import of jobs, trainings and interests (django-import-export). Placeholder."""

from import_export.admin import ImportExportMixin


class JobSpreadsheetMixin(ImportExportMixin):
    pass


class TrainingSpreadsheetMixin(ImportExportMixin):
    pass


class InterestSpreadsheetMixin(ImportExportMixin):
    pass
