"""The counsellors' admin, one module per part of the back office."""
