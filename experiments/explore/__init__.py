"""Policy analysis over the single entry point (`model.api.simulate`): which levers and uncertainties matter
(Sobol, Morris), where the targets fail (PRIM), what each yuan buys (paired cost per yuan), and the cheapest
robust mix of levers (optuna NSGA-II, then regret across the world presets). `dtsim-explore`, docs/explore.md.

Modules: factors (what varies, from the schema), outcomes (what a run yields), store (the study folder's run
batches), runner (runs in worker processes: joblib/loky or dask), study (the folder, the design, the outputs),
sobol, morris, prim, cost, pareto (one kind of study each), charts, report, cli.
"""
