-- Panel "Export controls": the last year of trade the measures are measured on.
SELECT max(year) AS year FROM marts.export_control_exposure
