/* fuzz_scenario.c - libFuzzer target for the scenario loader, and for a
 * short run of whatever loads: any input must give a clean error or a
 * clean run, never a crash. Build and run (clang):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_POSIX_C_SOURCE=200809L \
 *     -I. fuzz/fuzz_scenario.c sim/\*.c protocols/\*.c -lcjson -lm -o fuzz_scenario
 *   ./fuzz_scenario -max_total_time=300 fuzz/corpus scenarios */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/registry.h"
#include "sim/engine.h"
#include "sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    struct scenario *sc = NULL;
    if (scenario_parse((const char *)data, size, "fuzz.json", &sc, err, sizeof err) != 0)
        return 0;
    const struct sim_protocol *proto = protocol_find(sc->protocol);
    /* keep runs short and small: the loader is what is under test */
    if (proto && sc->nodes <= 16 && sc->workload.clients <= 16) {
        struct sim_options opt = {.trace_hash = true, .duration = 200 * SIM_MS};
        struct sim *s;
        if (sim_create(sc, proto, &opt, &s, err, sizeof err) == 0) {
            for (int i = 0; i < 20000 && sim_step(s) > 0; i++)
                ;
            sim_destroy(s);
        }
    }
    scenario_free(sc);
    return 0;
}
