/* pycall.c — calling Python from C in the signature language: sb_call, sb_call_method, sb_extract, sb_value, sb_tuple, sb_dict. */
