"""The model: parameters and the order of a quarter's phases (model.py), set-up, phases, world, policy, records."""
