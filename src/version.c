/* Version string, from the build system. */
#include "erpsync/version.h"

#ifndef ES_VERSION
#define ES_VERSION "0.0.0"
#endif

const char *es_version(void)
{
    return ES_VERSION;
}
