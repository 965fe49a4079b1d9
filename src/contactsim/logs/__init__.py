"""Contact logs (DESIGN §10): a force's telephony export, or a simulated room's, one row per
contact. :mod:`~contactsim.logs.model` holds a log in memory, :mod:`~contactsim.logs.london`
turns London wall-clock times into instants and back."""
