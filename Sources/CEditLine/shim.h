#ifndef CEDITLINE_SHIM_H
#define CEDITLINE_SHIM_H
#include <stdio.h>
#include <stdlib.h>
#include <editline/readline.h>

/* Tab completion: libedit calls C function pointers and keeps the line in a mutable global,
   neither of which Swift 6 can touch directly. Swift supplies one provider returning malloc'd
   candidates (state 0, 1, 2, … until NULL). Import this module from ONE Swift file only. */
typedef char *(*shim_completion_provider)(const char *line, const char *text, int state);
static shim_completion_provider shim_provider = NULL;

static char *shim_generator(const char *text, int state) {
    if (shim_provider == NULL) return NULL;
    return shim_provider(rl_line_buffer ? rl_line_buffer : "", text, state);
}

static char **shim_attempted_completion(const char *text, int start, int end) {
    (void)start; (void)end;
    rl_attempted_completion_over = 1;   /* no fallback to file names unless the provider gives them */
    return rl_completion_matches(text, shim_generator);
}

static inline void shim_install_completion(shim_completion_provider provider) {
    shim_provider = provider;
    rl_attempted_completion_function = shim_attempted_completion;
}

static inline char *shim_strdup(const char *s) { return strdup(s); }
#endif
