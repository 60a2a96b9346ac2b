/* cmd_lessons.c - `faultline lessons`: the shipped scenarios, one line each
 * (file, protocol, title), so a teacher can pick one to run or view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/runner.h"
#include "sim/scenario.h"

int cli_lessons_main(int argc, char **argv)
{
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: faultline lessons [-v]\n\n"
                   "Lists the scenarios shipped in scenarios/: file, protocol and title.\n"
                   "-v adds each lesson's text. Run one with `faultline run FILE`, watch it\n"
                   "with `faultline view FILE`.\n");
            return CLI_OK;
        }
        if (strcmp(argv[i], "-v") == 0)
            verbose = true;
        else {
            fprintf(stderr, "faultline lessons: unknown argument \"%s\"\n", argv[i]);
            return CLI_BAD_INPUT;
        }
    }
    const char *dir = runner_scenario_dir();
    char **paths;
    int n = dir ? runner_list_scenarios(dir, &paths) : -1;
    if (n < 0) {
        fprintf(stderr, "faultline lessons: the scenarios directory was not found or cannot be read\n");
        return CLI_BAD_INPUT;
    }
    int status = CLI_OK;
    for (int i = 0; i < n; i++) {
        const char *name = strrchr(paths[i], '/') + 1;
        char err[512];
        struct scenario *sc;
        if (scenario_load(paths[i], &sc, err, sizeof err)) {
            printf("%-40s (does not load: %s)\n", name, err);
            status = CLI_FAILED;
        } else {
            printf("%-40s %-15s %s\n", name, sc->protocol, sc->title);
            if (verbose && sc->lesson && *sc->lesson)
                printf("    %s\n\n", sc->lesson);
            scenario_free(sc);
        }
    }
    runner_free_list(paths, n);
    return status;
}
