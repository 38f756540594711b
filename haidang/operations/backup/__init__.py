"""Backup and restore: one sealed archive holding the database, the uploaded files and a manifest.

`manage.py backup` and `manage.py restore` are the commands; this package does the work:
`sealing` (the archive's encryption), `snapshot` (the database copy and the manifest, from one
consistent view), `archive` (writing and reading the archive), `checks` (what restore verifies before
and after touching anything).
"""
