"""Imports into the catalogue: sheets in the sample's format, ONISEP exports, the ROME referential.

Each import is one plain function with keyword-only arguments that runs in one transaction
(all or nothing); management commands and admin views only parse arguments and report.
"""
