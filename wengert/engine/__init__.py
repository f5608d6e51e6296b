"""The reverse-mode engine: graph nodes and the one backward traversal. Knows no particular op."""
