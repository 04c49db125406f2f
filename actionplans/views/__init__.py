"""Pages of plans and action points, one module per family of pages."""
