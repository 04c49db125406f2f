"""Reading plan tables (XLSX, CSV, pasted text) and writing them into plans."""
