"""printing package."""
