"""HTCDS v2 (the Human Trafficking Case Data Standard, IOM, CC BY 4.0): field and code-list mappings, the
records built from cases for each audience, pseudonyms and k-anonymity, and the streaming CSV/JSON writers.

`docs/htcds-mapping.md` says which HTCDS fields are absent and why.
"""
