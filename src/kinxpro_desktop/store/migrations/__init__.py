"""store migrations package."""
