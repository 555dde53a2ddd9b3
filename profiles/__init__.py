"""What is known: the catalogue's tables, the store, name resolution, import and export."""
