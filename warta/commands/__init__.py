"""The handlers of `warta`'s commands, one module per command (the parser is `warta.cli`)."""
