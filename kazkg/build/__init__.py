"""Build the dataset: read the inputs, validate them, infer, cache the result."""
