"""spapi package."""
