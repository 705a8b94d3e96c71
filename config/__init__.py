"""Settings and reference data: the leaf every layer imports, importing nothing of the project."""
