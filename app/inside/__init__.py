"""Inside the network: its layers, its map of the test set, and the models' heat maps side by side."""
