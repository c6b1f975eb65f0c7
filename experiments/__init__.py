"""The dtsim command line (Hydra app), its outputs and charts."""
