"""Jobs: simulate, write the results folder, draw its report, as one atomic step.

Each command is one job here, called by the command line with plain values (never argparse's
namespace): the replications run (in parallel or on a Dask cluster), the tables are written into
a temporary folder, the plots and report are drawn from those saved tables, and only then is the
folder swapped into place, so an interrupted job leaves the previous results intact. This is the
one layer that joins the analysis, the results folder and the presentation; the command line
above it only parses arguments, calls one job and maps errors to exit codes.

The modules: :mod:`~contactsim.jobs.run` (``run``, and what every simulating job shares),
:mod:`~contactsim.jobs.whatif` (``compare``, ``sweep``), :mod:`~contactsim.jobs.staff`
(``staff``), :mod:`~contactsim.jobs.logs` (``backtest``, ``fit``),
:mod:`~contactsim.jobs.folders` (``plot``) and :mod:`~contactsim.jobs.quick` (``validate``,
``reference``, ``erlang``).

Start-up is part of the job: this package and the command line import nothing heavy at the top,
and each job imports what it uses when it runs, so ``contactsim validate`` loads neither
matplotlib nor scipy, and ``--no-report`` runs never load matplotlib.
"""
