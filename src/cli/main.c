/* erpsync: the command-line program. */
#include <stdio.h>
#include <string.h>

#include "erpsync/version.h"

static const char usage[] =
    "Usage: erpsync [-c FILE] <command> [options]\n"
    "\n"
    "erpsync keeps an application database in two-way sync with Acumatica ERP.\n"
    "\n"
    "Options:\n"
    "  -h, --help       show this help and exit\n"
    "  -V, --version    print the version and exit\n"
    "\n"
    "Commands arrive with the pull and push work; today the program reports its\n"
    "version. acusim, the Acumatica simulator, is built beside it (acusim --help).\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("erpsync %s\n", es_version());
        return 0;
    }
    fprintf(stderr, "erpsync: unknown command or option '%s'\n\n%s", argv[1], usage);
    return 2;
}
