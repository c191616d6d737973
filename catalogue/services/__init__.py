"""Plain service functions: every write to the catalogue goes through them."""
