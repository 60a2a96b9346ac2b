/* cmd_lessons.c - `faultline lessons`: the shipped scenarios, one line each
 * (file, protocol, title), so a teacher can pick one to run or view. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/runner.h"
#include "sim/scenario.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

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
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d) {
        fprintf(stderr, "faultline lessons: the scenarios directory was not found\n");
        return CLI_BAD_INPUT;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            char **grown = realloc(names, (n + 1) * sizeof *names);
            if (!grown || !(grown[n] = strdup(e->d_name))) {
                free(grown ? grown : names);
                closedir(d);
                return CLI_FAILED;
            }
            names = grown;
            n++;
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int status = CLI_OK;
    for (size_t i = 0; i < n; i++) {
        char path[4600], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct scenario *sc;
        if (scenario_load(path, &sc, err, sizeof err)) {
            printf("%-40s (does not load: %s)\n", names[i], err);
            status = CLI_FAILED;
        } else {
            printf("%-40s %-15s %s\n", names[i], sc->protocol, sc->title);
            if (verbose && sc->lesson && *sc->lesson)
                printf("    %s\n\n", sc->lesson);
            scenario_free(sc);
        }
        free(names[i]);
    }
    free(names);
    return status;
}
