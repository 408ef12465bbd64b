/* embed.c — embedding: starting Python from a C program, the GIL token API, import, eval and exec. */
