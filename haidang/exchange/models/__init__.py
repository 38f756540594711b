"""Exchange: imports of the registers people keep and exports in HTCDS v2 (one module per side)."""
