/* main.c - the `faultline` command: a table of subcommands. With no
 * arguments it runs the default scenario. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "protocols/registry.h"
#include "sim/sim.h"

static int cmd_protocols(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct command {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"run", cli_run_main, "run a scenario and check its expectations (the default)"},
    {"check", cli_check_main, "check a client history (ours or Jepsen's EDN)"},
    {"view", cli_view_main, "watch a scenario live (click faults in) or replay a trace, in a window"},
    {"render", cli_render_main, "draw viewer frames offscreen as PNG (one moment, or a sequence)"},
    {"export", cli_export_main, "export a run as a ShiViz log (--shiviz) for space-time diagrams"},
    {"compare", cli_compare_main, "run one fault schedule against several protocols, side by side"},
    {"sweep", cli_sweep_main, "run many seeds on every core (or MPI ranks), find and shrink failures"},
    {"lessons", cli_lessons_main, "list the shipped scenarios (the lessons) with their titles"},
    /* new commands: one line each, above this comment */
    {"protocols", cmd_protocols, "list the protocols a scenario can name"},
    {"help", cmd_help, "this text; `faultline COMMAND --help` explains a command"},
    {NULL, NULL, NULL},
};

static void help(FILE *out)
{
    fprintf(out,
            "faultline %s - a deterministic fault-injection simulator for replicated protocols\n"
            "\n"
            "usage: faultline [COMMAND] [ARGS]     (no command: run the default lesson)\n"
            "\n"
            "commands:\n",
            FAULTLINE_VERSION);
    for (const struct command *c = commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out,
            "\n"
            "Same scenario and seed give the same run, byte for byte: every run prints the\n"
            "hash of its trace. Scenario format: docs/scenario-format.md.\n");
}

static int cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    help(stdout);
    return CLI_OK;
}

static int cmd_protocols(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: faultline protocols\n\n"
                   "Lists the protocols a scenario's \"protocol\" can name, with what each\n"
                   "implements. Their parameters, roles, invariants and lessons are in\n"
                   "docs/protocols/NAME.md.\n");
            return CLI_OK;
        }
        fprintf(stderr, "faultline protocols: unexpected \"%s\" (see faultline protocols --help)\n",
                argv[i]);
        return CLI_BAD_INPUT;
    }
    for (const struct sim_protocol *const *p = protocol_all(); *p; p++)
        printf("%-16s %s\n", (*p)->name, (*p)->summary ? (*p)->summary : "");
    return CLI_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return cli_run_main(1, (char *[]){"run", NULL});
    const char *cmd = argv[1];
    for (const struct command *c = commands; c->name; c++)
        if (strcmp(cmd, c->name) == 0)
            return c->main(argc - 1, argv + 1);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return cmd_help(0, NULL);
    if (strcmp(cmd, "--version") == 0) {
        printf("faultline %s\n", FAULTLINE_VERSION);
        return CLI_OK;
    }
    /* `faultline x.json` and `faultline --seed 3` mean `faultline run ...` */
    if (strstr(cmd, ".json") || (cmd[0] == '-' && cmd[1] == '-')) {
        argv[0] = "run";
        return cli_run_main(argc, argv);
    }
    fprintf(stderr, "faultline: unknown command \"%s\"\n\n", cmd);
    help(stderr);
    return CLI_BAD_INPUT;
}
