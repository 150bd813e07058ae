"""The run history and what health makes of it."""
