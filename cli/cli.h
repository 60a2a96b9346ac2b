/* cli.h - entry points of the `faultline` subcommands and their shared helpers.
 * Each subcommand takes argv after the subcommand name (argv[0] is the name)
 * and returns the process exit status: 0 success, 1 expectation/verdict
 * failed, 2 bad input or usage, 3 unknown (checker budget exhausted). */
#ifndef FAULTLINE_CLI_H
#define FAULTLINE_CLI_H

enum cli_exit {
    CLI_OK = 0,
    CLI_FAILED = 1,
    CLI_BAD_INPUT = 2,
    CLI_UNKNOWN = 3,
};

int cli_run_main(int argc, char **argv);    /* faultline run   (cmd_run.c) */
int cli_check_main(int argc, char **argv);  /* faultline check (cmd_check.c) */
int cli_view_main(int argc, char **argv);   /* faultline view   (cmd_view.c) */
int cli_render_main(int argc, char **argv); /* faultline render (cmd_render.c) */
int cli_export_main(int argc, char **argv); /* faultline export (cmd_export.c) */
int cli_sweep_main(int argc, char **argv);   /* faultline sweep   (cmd_sweep.c) */
int cli_compare_main(int argc, char **argv); /* faultline compare (cmd_compare.c) */
int cli_lessons_main(int argc, char **argv); /* faultline lessons (cmd_lessons.c) */
/* new subcommands: one line each, above this comment */

#endif
