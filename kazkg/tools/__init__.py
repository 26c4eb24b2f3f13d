"""Tools beside the dataset: push to a Graph Store, scale the data, benchmark servers."""
