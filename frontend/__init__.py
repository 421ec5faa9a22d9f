"""Importers that turn a model from some framework into linalg-on-tensors MLIR."""
