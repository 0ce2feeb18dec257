"""Resolution across documents: copies of the same story (and, later, global entities)."""
