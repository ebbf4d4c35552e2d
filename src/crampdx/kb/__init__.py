"""The knowledge base: rule-file schema, loader, linter and compiler."""
