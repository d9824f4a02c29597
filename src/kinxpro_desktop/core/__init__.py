"""Qt-free domain: dataclasses, rules, errors, progress. Standard library only."""
