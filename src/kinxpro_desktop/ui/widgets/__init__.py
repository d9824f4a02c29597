"""ui widgets package."""
