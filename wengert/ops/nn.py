"""Machine-learning functions: sigmoid relu softplus gelu softmax log_softmax (stable forms)."""

__all__ = []
