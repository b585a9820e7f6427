"""One construct per concern; ``infra/stack.py`` only composes them."""
