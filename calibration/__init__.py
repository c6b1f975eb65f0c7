"""Calibration to observed Zhejiang data, out-of-sample forecast and stylized-fact validation of dtsim."""
