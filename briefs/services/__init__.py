"""The bulletin's state changes (issues, adoption, the sealed record)."""
