"""API conventions shared by every endpoint: the error shape (errors), pagination, and
a schema class that documents the error responses each operation can give (schema).
Split in modules because DRF imports the pagination class while its own generics load."""
