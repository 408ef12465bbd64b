/* module.c — the C face's modules: sb_module_def -> multi-phase module with functions, exceptions and constants in module state. */
